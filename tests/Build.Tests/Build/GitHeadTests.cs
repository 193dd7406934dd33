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

    private string CacheFile => Path.Combine(_repository.Path, "artifacts", "obj", "git-head");

    /// <summary>Read through the cache twice (the first run fills it, the second uses it): both as git says now.</summary>
    private void AssertCachedAgreesWithGit(string checkout)
    {
        var fromGit = GitHead.Read(checkout);
        Assert.NotNull(fromGit);
        Assert.Equal(fromGit, GitHead.Read(checkout, CacheFile));
        Assert.Equal(fromGit, GitHead.Read(checkout, CacheFile));
    }

    [Fact]
    public void The_cached_answer_follows_commits_tags_packed_refs_and_a_detached_head()
    {
        Git("init", "-q");
        Commit();
        AssertCachedAgreesWithGit(_repository.Path);
        Commit();
        AssertCachedAgreesWithGit(_repository.Path);
        Git("tag", "v1.0.0");
        AssertCachedAgreesWithGit(_repository.Path);
        Commit();
        Git("tag", "-a", "-m", "annotated", "v1.1.0");
        AssertCachedAgreesWithGit(_repository.Path);
        Git("pack-refs", "--all");
        AssertCachedAgreesWithGit(_repository.Path);
        Git("tag", "-d", "v1.1.0");
        AssertCachedAgreesWithGit(_repository.Path);
        Git("checkout", "-q", "--detach", "HEAD~1");
        AssertCachedAgreesWithGit(_repository.Path);
        Git("tag", "-f", "v1.0.0", "HEAD~1");
        AssertCachedAgreesWithGit(_repository.Path);
    }

    [Fact]
    public void A_worktree_has_its_own_head()
    {
        Git("init", "-q");
        Commit();
        Git("tag", "v2.0.0");
        Git("branch", "other");
        Git("checkout", "-q", "other");
        Commit();
        var worktree = Path.Combine(_repository.Path, "wt");
        Git("worktree", "add", "-q", worktree, "v2.0.0");

        AssertCachedAgreesWithGit(worktree);
        Assert.Equal(0, GitHead.Read(worktree, CacheFile)!.Height);
        AssertCachedAgreesWithGit(_repository.Path);
        Assert.Equal(1, GitHead.Read(_repository.Path, CacheFile)!.Height);
    }

    [Fact]
    public void A_cached_answer_for_the_same_refs_is_used_without_asking_git()
    {
        Git("init", "-q");
        Commit();
        GitHead.Read(_repository.Path, CacheFile);
        var lines = File.ReadAllLines(CacheFile);
        File.WriteAllLines(CacheFile, [lines[0], "abc1234 42 7 v9.9.9"]);

        Assert.Equal(new GitHead("abc1234", 42, "v9.9.9", 7), GitHead.Read(_repository.Path, CacheFile));
        Commit();
        Assert.Equal(GitHead.Read(_repository.Path), GitHead.Read(_repository.Path, CacheFile));
    }

    [Fact]
    public void A_damaged_cache_file_is_ignored_and_rewritten()
    {
        Git("init", "-q");
        Commit();
        var fromGit = GitHead.Read(_repository.Path);
        GitHead.Read(_repository.Path, CacheFile);
        var key = File.ReadAllLines(CacheFile)[0];
        foreach (var damaged in new[] { "", "garbage", $"{key}\nabc1234 not-a-time 7 v9.9.9", $"{key}\n" })
        {
            File.WriteAllText(CacheFile, damaged);
            Assert.Equal(fromGit, GitHead.Read(_repository.Path, CacheFile));
            Assert.Equal(fromGit, GitHead.Read(_repository.Path, CacheFile));
        }
    }

    [Fact]
    public void Replace_refs_are_left_to_git()
    {
        Git("init", "-q");
        Commit();
        Commit();
        Git("replace", "--graft", "HEAD");
        Assert.Equal(1, GitHead.Read(_repository.Path)!.Height);
        AssertCachedAgreesWithGit(_repository.Path);
        Assert.False(File.Exists(CacheFile));
    }

    [Fact]
    public void With_a_variable_that_points_git_elsewhere_git_is_always_asked()
    {
        Git("init", "-q");
        Commit();
        // The one of those variables that changes nothing for the tests running beside this one.
        Environment.SetEnvironmentVariable("GIT_NO_REPLACE_OBJECTS", "1");
        try
        {
            AssertCachedAgreesWithGit(_repository.Path);
            Assert.False(File.Exists(CacheFile));
        }
        finally
        {
            Environment.SetEnvironmentVariable("GIT_NO_REPLACE_OBJECTS", null);
        }
    }

    [Fact]
    public void A_folder_that_is_not_a_checkout_has_no_head() => Assert.Null(GitHead.Read(_repository.Path));
}
