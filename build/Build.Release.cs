using TracerBuild.GitHub;
using TracerBuild.Versioning;
using TracerBuild;

partial class Build
{
    [Parameter("GitHub REST API, for Release and UpdateVmlinux")]
    readonly string GithubApiUrl = "https://api.github.com";

    [Parameter("owner/name of the GitHub repository, for Release; default GITHUB_REPOSITORY, else the origin remote")]
    readonly string? GithubRepository = null;

    [Parameter("GitHub token allowed to write the repository's contents, for Release (GITHUB_TOKEN)")]
    [Secret]
    readonly string? GithubToken = null;

    string ReleaseRepository = "";

    string ReleaseTag => $"v{Paths.Version}";

    // Release uses the tarballs already in artifacts/ (in CI, those the build matrix made): it does not depend on Package.
    Target Release => _ => _
        .Description("Publishes artifacts/tracer-<version>-linux-* tarballs and SBOMs, install.sh and SHA256SUMS as the GitHub release v<version>")
        .Requires(ValidateReleaseInput)
        .Executes(() =>
        {
            var assets = ReleaseFiles.Prepare(Paths.InstallScript, Paths.Artifacts, Paths.Version, ReleaseRepository);

            // Uploads of tens of megabytes may take longer than the default 100 s.
            var github = new GitHubApi(new Uri(GithubApiUrl), ReleaseRepository, GithubToken!, TimeSpan.FromMinutes(15));
            var release = new ReleasePublisher(github).Publish(ReleaseTag, prerelease: ReleaseTag.Contains('-'), assets);
            Log.Line($"Release {ReleaseTag} of {ReleaseRepository} is published: {release.HtmlUrl}");
        });

    void ValidateGithubApiUrl()
    {
        if (!Uri.TryCreate(GithubApiUrl, UriKind.Absolute, out var api) || api.Scheme is not ("https" or "http"))
            throw new BuildInputException($"Invalid --github-api-url '{GithubApiUrl}': expected an http(s) URL such as https://api.github.com.");
    }

    /// <summary>Release's input, checked before any target runs.</summary>
    void ValidateReleaseInput()
    {
        if (TracerBuild.Versioning.ReleaseVersion.IsDevelopment(ReleaseVersion))
            throw new BuildInputException($"Release publishes release versions only, and {ReleaseVersion} is a -dev version: tag HEAD vX.Y.Z or pass --version X.Y.Z.");
        if (string.IsNullOrEmpty(GithubToken))
            throw new BuildInputException("Release needs a GitHub token: set GITHUB_TOKEN or pass --github-token.");
        ValidateGithubApiUrl();
        ReleaseRepository = GitHubRepositoryName.Resolve(GithubRepository, RootDirectory);
    }
}
