namespace TracerBuild.Tests;

/// <summary>What the version is made of: HEAD's sha and time, the vX.Y.Z tag describing it and the commits since.</summary>
public sealed class GitHeadTests : IDisposable
{
    private readonly TempDirectory _repository = new();

    public void Dispose() => _repository.Dispose();

    private void Git(params string[] arguments) =>
        Programs.Run("git", ["-C", _repository.Path, "-c", "user.name=t", "-c", "user.email=t@example.com", .. arguments], echo: false);

    private void Commit() => Git("commit", "-q", "--allow-empty", "-m", "c");

    [Fact]
    public void Without_a_tag_the_height_counts_every_commit()
    {
        Git("init", "-q");
        Commit();
        Commit();

        var head = GitHead.Read(_repository.Path)!;

        Assert.Null(head.Tag);
        Assert.Equal(2, head.Height);
        Assert.Matches("^[0-9a-f]{7,}$", head.ShortSha);
        Assert.InRange(head.CommitTime, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
    }

    [Fact]
    public void A_tag_on_head_has_height_0_and_commits_after_it_count_from_it()
    {
        Git("init", "-q");
        Commit();
        Commit();
        Git("tag", "v1.2.3-rc.1");
        Assert.Equal(("v1.2.3-rc.1", 0), (GitHead.Read(_repository.Path)!.Tag, GitHead.Read(_repository.Path)!.Height));

        Commit();
        Git("tag", "not-a-version");

        Assert.Equal(("v1.2.3-rc.1", 1), (GitHead.Read(_repository.Path)!.Tag, GitHead.Read(_repository.Path)!.Height));
    }

    [Fact]
    public void A_folder_that_is_not_a_checkout_has_no_head() => Assert.Null(GitHead.Read(_repository.Path));
}
