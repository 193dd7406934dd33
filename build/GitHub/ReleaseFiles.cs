using TracerBuild.Engine;

namespace TracerBuild.GitHub;

/// <summary>The tarballs a release publishes: every arch's, of the version.</summary>
public static class ReleaseFiles
{
    /// <summary>Every <c>tracer-&lt;version&gt;-linux-*.tar.gz</c> in the folder, sorted; fails when an arch of the table has none.</summary>
    public static IReadOnlyList<string> Tarballs(string artifacts, string version)
    {
        var missing = Arch.All
            .Select(a => $"{a.TarballName(version)}.tar.gz")
            .Where(name => !File.Exists(Path.Combine(artifacts, name)))
            .ToList();
        if (missing.Count > 0)
            throw new BuildFailedException($"Release of {version} needs every arch's tarball in {artifacts}; missing: {string.Join(", ", missing)}. Run the Package target or download the build matrix's artifacts there.");
        return Directory.EnumerateFiles(artifacts, $"tracer-{version}-linux-*.tar.gz").Order(StringComparer.Ordinal).ToList();
    }
}
