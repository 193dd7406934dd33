using TracerBuild.GitHub;

namespace TracerBuild.Tests;

/// <summary>
/// GitHub's release downloads on 127.0.0.1, laid out as github.com serves them:
/// <c>{BaseUrl}/download/vX.Y.Z/ASSET</c> and, for the latest release, <c>{BaseUrl}/latest/download/ASSET</c>.
/// A release's assets are those the Release target publishes (<see cref="ReleaseFiles.Prepare"/>).
/// </summary>
public sealed class LoopbackReleases : IDisposable
{
    public const string Repository = "acme/tracer";

    private readonly TempDirectory _root = new();

    public LoopbackReleases() => Server = new MirrorServer(_root.Path);

    public MirrorServer Server { get; }

    public string BaseUrl => $"{Server.Url}/{Repository}/releases";

    /// <summary>Publishes the packages (tarballs and SBOMs) of a version with install.sh and SHA256SUMS; returns the release's folder.</summary>
    public string Publish(string version, IEnumerable<string> packages, bool latest = true)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root.Path, Repository, "releases", "download", $"v{version}")).FullName;
        foreach (var package in packages)
            File.Copy(package, Path.Combine(folder, Path.GetFileName(package)), overwrite: true);
        var assets = ReleaseFiles.Prepare(Path.Combine(Tests.Repository.Root, InstallScript.FileName), folder, version, Repository);
        if (latest)
        {
            var latestFolder = Directory.CreateDirectory(Path.Combine(_root.Path, Repository, "releases", "latest", "download")).FullName;
            foreach (var file in Directory.EnumerateFiles(latestFolder))
                File.Delete(file);
            foreach (var asset in assets)
                File.Copy(asset, Path.Combine(latestFolder, Path.GetFileName(asset)));
        }
        return folder;
    }

    /// <summary>The URL path (as the server counts requests) of an asset of a release.</summary>
    public static string AssetPath(string version, string asset) => $"{Repository}/releases/download/v{version}/{asset}";

    public void Dispose()
    {
        Server.Dispose();
        _root.Dispose();
    }
}
