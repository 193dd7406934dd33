
namespace TracerBuild.GitHub;

/// <summary>The assets a release publishes: every arch's tarball and SBOM of the version, install.sh, and SHA256SUMS over them all.</summary>
public static class ReleaseFiles
{
    public const string Sums = "SHA256SUMS";

    /// <summary>
    /// Every <c>tracer-&lt;version&gt;-linux-*</c> tarball and SBOM in the folder, sorted; fails when an arch of the table
    /// lacks either.
    /// </summary>
    public static IReadOnlyList<string> Packages(string artifacts, string version)
    {
        // Exactly the arch table's self-contained tarballs: a framework-dependent one has another name and is not released.
        var packages = Arch.All
            .SelectMany(a => new[] { $"{a.TarballName(version)}.tar.gz", a.SbomFileName(version) })
            .Select(name => Path.Combine(artifacts, name))
            .Order(StringComparer.Ordinal)
            .ToList();
        var missing = packages.Where(p => !File.Exists(p)).Select(Path.GetFileName).ToList();
        if (missing.Count > 0)
            throw new BuildFailedException($"Release of {version} needs every arch's tarball and SBOM in {artifacts}; missing: {string.Join(", ", missing)}. Run the Package target or download the build matrix's artifacts there.");
        return packages;
    }

    /// <summary>Writes install.sh for the repository and SHA256SUMS over every asset into the folder; returns all the assets, SHA256SUMS last.</summary>
    public static IReadOnlyList<string> Prepare(string installScript, string artifacts, string version, string repository)
    {
        IReadOnlyList<string> assets = [.. Packages(artifacts, version), InstallScript.Write(installScript, artifacts, repository)];
        return [.. assets, Sha256.WriteSums(Path.Combine(artifacts, Sums), assets)];
    }
}
