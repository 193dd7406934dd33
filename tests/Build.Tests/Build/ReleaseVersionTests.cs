namespace TracerBuild.Tests;

/// <summary>Versions from git state, in scratch repositories.</summary>
public sealed class ReleaseVersionTests : IDisposable
{
    private readonly TempDirectory _repository = new();

    public ReleaseVersionTests()
    {
        Git("init", "-q");
        Commit();
    }

    public void Dispose() => _repository.Dispose();

    private string Git(params string[] arguments) =>
        Programs.Run("git", ["-C", _repository.Path, "-c", "user.name=t", "-c", "user.email=t@t", .. arguments], echo: false).Output.Trim();

    private void Commit() => Git("commit", "-q", "--allow-empty", "-m", "change");

    private string Sha => Git("rev-parse", "--short", "HEAD");

    private string Resolve(string? requested = null) => ReleaseVersion.Resolve(requested, _repository.Path);

    [Fact]
    public void Without_a_tag_it_is_a_dev_version_of_0_1_0_with_the_height_and_sha()
    {
        Commit();
        Assert.Equal($"0.1.0-dev.2+{Sha}", Resolve());
    }

    [Fact]
    public void An_exact_tag_on_HEAD_gives_its_version()
    {
        Git("tag", "v2.4.6");
        Assert.Equal("2.4.6", Resolve());
    }

    [Fact]
    public void An_exact_prerelease_tag_keeps_its_prerelease()
    {
        Git("tag", "v2.4.6-rc.1");
        Assert.Equal("2.4.6-rc.1", Resolve());
    }

    [Fact]
    public void Commits_after_a_tag_give_the_next_patch_dev_version()
    {
        Git("tag", "v2.4.6");
        Commit();
        Commit();
        Assert.Equal($"2.4.7-dev.2+{Sha}", Resolve());
    }

    [Fact]
    public void Commits_after_a_prerelease_tag_stay_on_its_version()
    {
        Git("tag", "v3.0.0-beta.2");
        Commit();
        Assert.Equal($"3.0.0-dev.1+{Sha}", Resolve());
    }

    [Fact]
    public void The_version_parameter_wins_over_the_tag()
    {
        Git("tag", "v2.4.6");
        Assert.Equal("9.9.9-preview.1", Resolve("9.9.9-preview.1"));
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("01.2.3")]
    [InlineData("1.2.3-")]
    [InlineData("v1.2.3")]
    public void An_invalid_version_parameter_is_one_line(string version)
    {
        var error = Assert.Throws<BuildInputException>(() => Resolve(version));
        Assert.Equal($"Invalid version '{version}' from --version: expected SemVer such as 1.2.3 or 1.2.3-rc.1.", error.Message);
    }

    [Fact]
    public void An_invalid_tag_on_HEAD_is_named()
    {
        Git("tag", "v1.2");
        var error = Assert.Throws<BuildInputException>(() => Resolve());
        Assert.Equal("Invalid version '1.2' from git tag v1.2: expected SemVer such as 1.2.3 or 1.2.3-rc.1.", error.Message);
    }

    [Fact]
    public void File_names_drop_the_build_metadata() =>
        Assert.Equal("1.2.4-dev.3", ReleaseVersion.WithoutMetadata("1.2.4-dev.3+abc1234"));
}
