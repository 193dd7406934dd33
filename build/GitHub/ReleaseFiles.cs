using TracerBuild.Engine;

namespace TracerBuild.GitHub;

/// <summary>The tarballs a release publishes: every arch's self-contained one, of the version.</summary>
public static class ReleaseFiles
{
    /// <summary>Each arch's <c>tracer-&lt;version&gt;-linux-&lt;arch&gt;.tar.gz</c> in the folder, sorted; fails when one is missing.</summary>
    public static IReadOnlyList<string> Tarballs(string artifacts, string version)
    {
        var tarballs = Arch.All.Select(a => Path.Combine(artifacts, $"{a.TarballName(version)}.tar.gz")).Order(StringComparer.Ordinal).ToList();
        var missing = tarballs.Where(t => !File.Exists(t)).Select(Path.GetFileName).ToList();
        if (missing.Count > 0)
            throw new BuildFailedException($"Release of {version} needs every arch's tarball in {artifacts}; missing: {string.Join(", ", missing)}. Run the Package target or download the build matrix's artifacts there.");
        return tarballs;
    }
}
