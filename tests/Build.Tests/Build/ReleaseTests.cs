using TracerBuild.GitHub;

namespace TracerBuild.Tests;

/// <summary>The release publisher and its Octokit calls against a fake GitHub API on 127.0.0.1.</summary>
public sealed class ReleaseTests : IDisposable
{
    private const string Repo = "acme/tracer";
    private const string Token = "ghp_fakeTokenForTests0123456789";
    private const string Tag = "v1.2.3";

    private readonly FakeGitHub _github = new(Repo, Token);
    private readonly TempDirectory _artifacts = new();
    private readonly InstantTime _time = new();

    public ReleaseTests()
    {
        WriteTarball("x64", 3000);
        WriteTarball("arm64", 2000);
    }

    private string Tarball(string arch) => Path.Combine(_artifacts.Path, $"tracer-1.2.3-linux-{arch}.tar.gz");

    private void WriteTarball(string arch, int size, byte seed = 1) =>
        File.WriteAllBytes(Tarball(arch), Enumerable.Range(0, size).Select(i => (byte)(i * seed + arch.Length)).ToArray());

    private Octokit.Release Publish(string token = Token)
    {
        var tarballs = Directory.EnumerateFiles(_artifacts.Path, "*.tar.gz").Order(StringComparer.Ordinal).ToList();
        var sums = Sha256.WriteSums(Path.Combine(_artifacts.Path, "SHA256SUMS"), tarballs);
        var client = new GitHubApi(new Uri(_github.Url), Repo, token, TimeSpan.FromSeconds(30), _time);
        return new ReleasePublisher(client).Publish(Tag, prerelease: false, [.. tarballs, sums]);
    }

    private FakeRelease OnlyRelease() => Assert.Single(_github.Releases, r => r.Tag == Tag);

    /// <summary>The release holds exactly the local tarballs and SHA256SUMS, byte for byte, and is published.</summary>
    private void AssertReleaseMatchesArtifacts()
    {
        var release = OnlyRelease();
        Assert.False(release.Draft);
        string[] expected = ["SHA256SUMS", "tracer-1.2.3-linux-arm64.tar.gz", "tracer-1.2.3-linux-x64.tar.gz"];
        Assert.Equal(expected, release.Assets.Select(a => a.Name).Order(StringComparer.Ordinal));
        foreach (var asset in release.Assets)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(_artifacts.Path, asset.Name)), asset.Bytes);
            Assert.Equal(asset.Name.EndsWith(".tar.gz") ? "application/gzip" : "text/plain", asset.ContentType);
        }
    }

    private int Uploads() => _github.Requests.Count(r => r.StartsWith("POST /uploads/", StringComparison.Ordinal));

    [Fact]
    public void First_release_is_created_as_a_draft_filled_and_published_finding_its_tag_past_several_pages()
    {
        for (var i = 0; i < 5; i++)
            _github.AddRelease($"v0.{i}.0", draft: false);

        var release = Publish();

        AssertReleaseMatchesArtifacts();
        Assert.False(release.Draft);
        Assert.Equal(3, Uploads());
        Assert.Contains($"PATCH /repos/{Repo}/releases/{release.Id}", _github.Requests);
        Assert.True(_github.Requests.Count(r => r == $"GET /repos/{Repo}/releases") >= 3, "the fake serves 5 releases 2 per page: all pages were read");
        Assert.Equal(6, _github.Releases.Count);
    }

    [Fact]
    public void SHA256SUMS_is_sorted_and_verifies_with_sha256sum()
    {
        Publish();

        var sums = OnlyRelease().Assets.Single(a => a.Name == "SHA256SUMS").Text;
        Assert.Equal(["tracer-1.2.3-linux-arm64.tar.gz", "tracer-1.2.3-linux-x64.tar.gz"], sums.TrimEnd('\n').Split('\n').Select(l => l[66..]));
        var check = Programs.Run("sha256sum", ["-c", "SHA256SUMS"], workingDirectory: _artifacts.Path, echo: false);
        Assert.Equal(2, check.Lines.Count(l => l.EndsWith(": OK", StringComparison.Ordinal)));
    }

    [Fact]
    public void Re_running_changes_nothing_and_duplicates_nothing()
    {
        Publish();
        var before = OnlyRelease().Assets.Select(a => (a.Id, a.Name)).ToList();
        var requestsBefore = _github.Requests.Count;

        Publish();

        var rerun = _github.Requests.Skip(requestsBefore).ToList();
        Assert.DoesNotContain(rerun, r => r.StartsWith("POST", StringComparison.Ordinal) || r.StartsWith("DELETE", StringComparison.Ordinal) || r.StartsWith("PATCH", StringComparison.Ordinal));
        Assert.Equal(before, OnlyRelease().Assets.Select(a => (a.Id, a.Name)).ToList());
        AssertReleaseMatchesArtifacts();
    }

    [Fact]
    public void A_changed_tarball_replaces_its_asset_and_SHA256SUMS_and_leaves_the_others()
    {
        Publish();
        var before = OnlyRelease().Assets.ToDictionary(a => a.Name, a => a.Id);
        WriteTarball("x64", 3000, seed: 7);

        Publish();

        var after = OnlyRelease().Assets.ToDictionary(a => a.Name, a => a.Id);
        Assert.NotEqual(before["tracer-1.2.3-linux-x64.tar.gz"], after["tracer-1.2.3-linux-x64.tar.gz"]);
        Assert.NotEqual(before["SHA256SUMS"], after["SHA256SUMS"]);
        Assert.Equal(before["tracer-1.2.3-linux-arm64.tar.gz"], after["tracer-1.2.3-linux-arm64.tar.gz"]);
        AssertReleaseMatchesArtifacts();
    }

    [Fact]
    public void A_draft_left_by_an_earlier_run_is_found_by_listing_and_finished()
    {
        for (var i = 0; i < 4; i++)
            _github.AddRelease($"v0.{i}.0", draft: false);
        _github.AddRelease(Tag, draft: true,
            ("tracer-1.2.3-linux-x64.tar.gz", [1, 2, 3], "uploaded"),
            ("tracer-1.2.3-linux-arm64.tar.gz", File.ReadAllBytes(Tarball("arm64")), "starter"));
        using (var http = new HttpClient())
        using (var byTag = new HttpRequestMessage(HttpMethod.Get, $"{_github.Url}/repos/{Repo}/releases/tags/{Tag}"))
        {
            byTag.Headers.Authorization = new("Bearer", Token);
            byTag.Headers.Accept.Add(new("application/vnd.github+json"));
            byTag.Headers.UserAgent.Add(new("tests", "1"));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, http.Send(byTag, TestContext.Current.CancellationToken).StatusCode);
        }

        Publish();

        AssertReleaseMatchesArtifacts();
        Assert.Equal(3, Uploads());
    }

    [Fact]
    public void A_wrong_token_fails_with_one_line_that_does_not_contain_it()
    {
        const string wrong = "ghp_wrongTokenXYZ987";

        var e = Assert.Throws<BuildFailedException>(() => Publish(wrong));

        Assert.Contains("401", e.Message);
        Assert.Contains("GITHUB_TOKEN", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain(wrong, e.Message);
        Assert.Empty(_github.Releases);
    }

    [Fact]
    public void A_502_is_retried_and_the_release_completes()
    {
        _github.Fail(502);

        Publish();

        AssertReleaseMatchesArtifacts();
        Assert.Equal([TimeSpan.FromSeconds(1)], _time.Waits);
    }

    [Fact]
    public void A_failed_re_upload_is_retried_so_the_replaced_asset_is_never_left_missing()
    {
        Publish();
        WriteTarball("arm64", 2500, seed: 3);
        _github.Fail(503, "/uploads/");

        Publish();

        AssertReleaseMatchesArtifacts();
        Assert.Single(_time.Waits);
    }

    [Fact]
    public void An_upload_whose_answer_was_lost_is_found_on_the_retry_instead_of_duplicated()
    {
        _github.LoseNextAnswer("/uploads/");

        Publish();

        AssertReleaseMatchesArtifacts();
        Assert.Equal(4, Uploads());
    }

    [Fact]
    public void A_created_release_whose_answer_was_lost_is_found_instead_of_failing()
    {
        _github.LoseNextAnswer($"/repos/{Repo}/releases");

        Publish();

        AssertReleaseMatchesArtifacts();
        Assert.Equal(2, _github.Requests.Count(r => r == $"POST /repos/{Repo}/releases"));
    }

    [Fact]
    public void Rate_limits_wait_as_long_as_GitHub_says()
    {
        _github.Fail(429, "/", ("Retry-After", "7"));
        var reset = DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeSeconds();
        _github.Fail(403, "/", ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", reset.ToString()));

        Publish();

        AssertReleaseMatchesArtifacts();
        Assert.Equal(2, _time.Waits.Count);
        Assert.Equal(TimeSpan.FromSeconds(7), _time.Waits[0]);
        Assert.InRange(_time.Waits[1].TotalSeconds, 25, 31);
    }

    [Fact]
    public void A_rate_limit_longer_than_the_longest_wait_fails_at_once_saying_when_to_try_again()
    {
        _github.Fail(429, "/", ("Retry-After", "3600"));

        var e = Assert.Throws<BuildFailedException>(() => Publish());

        Assert.Equal($"GitHub GET /repos/{Repo}/releases: rate limited for 60 more minutes; run the release again later.", e.Message);
        Assert.Empty(_time.Waits);
    }

    [Fact]
    public void An_unreachable_api_is_tried_with_a_doubling_backoff_then_fails_in_one_line()
    {
        _github.Dispose();

        var e = Assert.Throws<BuildFailedException>(() => Publish());

        Assert.StartsWith($"GitHub GET /repos/{Repo}/releases failed after {GitHubApi.MaxAttempts} attempts: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal([1, 2, 4, 8], _time.Waits.Select(w => w.TotalSeconds));
    }

    [Fact]
    public void A_403_that_is_not_a_rate_limit_fails_at_once_naming_the_permission()
    {
        _github.Fail(403);

        var e = Assert.Throws<BuildFailedException>(() => Publish());

        Assert.Contains("contents: write", e.Message);
        Assert.Empty(_time.Waits);
    }

    [Theory]
    [InlineData("https://github.com/acme/tracer.git", "acme/tracer")]
    [InlineData("https://github.com/acme/tracer", "acme/tracer")]
    [InlineData("git@github.com:acme/tracer.git", "acme/tracer")]
    [InlineData("ssh://git@github.com/acme/tracer.git", "acme/tracer")]
    [InlineData("/work/main", null)]
    [InlineData("https://gitlab.com/acme/tracer.git", null)]
    public void The_repository_is_parsed_from_the_origin_remote(string url, string? expected) =>
        Assert.Equal(expected, GitHubRepositoryName.FromRemoteUrl(url));

    [Theory]
    [InlineData("1.2.3", false)]
    [InlineData("1.2.3-rc.1", false)]
    [InlineData("0.1.0-dev", true)]
    [InlineData("1.2.4-dev.3+abc1234", true)]
    [InlineData("1.2.4-devel", false)]
    public void Only_dev_versions_count_as_development(string version, bool expected) =>
        Assert.Equal(expected, ReleaseVersion.IsDevelopment(version));

    public void Dispose()
    {
        _github.Dispose();
        _artifacts.Dispose();
    }
}
