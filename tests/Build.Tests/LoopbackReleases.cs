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

/// <summary>Runs a published install.sh the way its usage line says: its text on the standard input of <c>sh -s --</c>.</summary>
public static class InstallScriptRunner
{
    /// <summary>
    /// <paramref name="tools"/> is put first on PATH (a <c>uname</c> that answers for another arch); <paramref name="asNobody"/>
    /// runs the script as user nobody, for whom a root-owned folder is not writable.
    /// </summary>
    public static ProcessResult Run(string script, IEnumerable<string> arguments, string? tools = null, bool asNobody = false, IReadOnlyDictionary<string, string>? environment = null)
    {
        var shell = asNobody ? "setpriv --reuid=65534 --regid=65534 --clear-groups sh" : "sh";
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["PATH"] = tools is null ? Environment.GetEnvironmentVariable("PATH")! : $"{tools}:{Environment.GetEnvironmentVariable("PATH")}",
        };
        return Programs.TryRun("/bin/sh", ["-c", $"script=$1; shift; exec {shell} -s -- \"$@\" < \"$script\"", "sh", script, .. arguments],
            environment: variables);
    }

    /// <summary>A tools folder whose <c>uname</c> prints <paramref name="machine"/> for <c>-m</c>: an arch no machine here has.</summary>
    public static string UnameSaying(string parent, string machine)
    {
        var folder = Directory.CreateDirectory(Path.Combine(parent, $"uname-{machine}")).FullName;
        var uname = Path.Combine(folder, "uname");
        File.WriteAllText(uname, $"#!/bin/sh\necho {machine}\n");
        File.SetUnixFileMode(uname, TarballEntry.Executable);
        return folder;
    }
}
