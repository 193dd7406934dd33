namespace TracerBuild.Tests;

/// <summary>The "done when": ./build.sh --target Release twice against a loopback GitHub, token only in the environment.</summary>
public sealed class ReleaseScriptTests(TaggedScratchClone clone) : IClassFixture<TaggedScratchClone>, IDisposable
{
    private const string Token = "ghp_endToEndSecretToken42";
    private readonly FakeGitHub _github = new("acme/tracer", Token);

    private ProcessResult Release(string token = Token, bool underActions = false, params string[] extra) =>
        clone.BuildScript(
            new Dictionary<string, string>
            {
                ["GITHUB_TOKEN"] = token,
                ["GITHUB_ACTIONS"] = underActions ? "true" : "",
                ["GITHUB_REPOSITORY"] = "",
            },
            ["--target", "Release", "--github-api-url", _github.Url, "--github-repository", "acme/tracer", .. extra]);

    [Fact]
    public void Release_twice_leaves_one_published_release_with_tarballs_SBOMs_install_sh_and_SHA256SUMS_and_never_prints_the_token()
    {
        var first = Release();
        var second = Release();

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        var release = Assert.Single(_github.Releases);
        Assert.Equal("v1.2.3", release.Tag);
        Assert.False(release.Draft);
        string[] names = ["SHA256SUMS", "install.sh", "tracer-1.2.3-linux-arm64.cdx.json", "tracer-1.2.3-linux-arm64.tar.gz", "tracer-1.2.3-linux-x64.cdx.json", "tracer-1.2.3-linux-x64.tar.gz"];
        Assert.Equal(names, release.Assets.Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.All(release.Assets, a => Assert.Equal(File.ReadAllBytes(Path.Combine(clone.Root, "artifacts", a.Name)), a.Bytes));
        Assert.Contains("\nrepository='acme/tracer'\n", System.Text.Encoding.UTF8.GetString(release.Assets.Single(a => a.Name == "install.sh").Bytes));
        var sums = System.Text.Encoding.UTF8.GetString(release.Assets.Single(a => a.Name == "SHA256SUMS").Bytes);
        Assert.Equal(names[1..], sums.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[66..]));
        Assert.Equal(names.Length, second.Lines.Count(l => l.StartsWith("Unchanged ", StringComparison.Ordinal)));
        Assert.DoesNotContain("Uploaded", second.Output);
        Assert.DoesNotContain(Token, first.Output + second.Output);
    }

    [Fact]
    public void Under_GitHub_Actions_the_token_is_masked_once_and_printed_nowhere_else()
    {
        var result = Release(underActions: true);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Single(result.Lines, l => l == $"::add-mask::{Token}");
        Assert.DoesNotContain(Token, string.Join('\n', result.Lines.Where(l => l != $"::add-mask::{Token}")));
    }

    [Fact]
    public void A_wrong_token_fails_with_one_error_line_without_the_token()
    {
        const string wrong = "ghp_notTheRightOne777";

        var result = Release(token: wrong);

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Lines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("401", error);
        Assert.DoesNotContain(wrong, result.Output);
        Assert.DoesNotContain("   at ", result.Output);
        Assert.Empty(_github.Releases);
    }

    [Theory]
    [InlineData("1.2.4-dev.3+abc1234", "-dev version")]
    [InlineData("9.9.9", "tracer-9.9.9-linux-x64.tar.gz")]
    public void Release_refuses_dev_versions_and_missing_tarballs_before_calling_GitHub(string version, string expected)
    {
        var result = Release(extra: ["--version", version]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.Lines, l => l.StartsWith("error:", StringComparison.Ordinal)));
        Assert.Empty(_github.Requests);
    }

    public void Dispose() => _github.Dispose();
}
