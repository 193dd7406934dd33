namespace TracerBuild.Tests;

/// <summary>
/// The issue's done-when: in scratch clones tagged v7.3.1 (HEAD as committed), Package x64 twice with every source
/// touched between, and once more from a clone in another folder, gives the same tarball and SBOM bytes
/// (for this machine's arch, so the packaged tracer can run here).
/// </summary>
[Collection(BuildScriptCollection.Name)]
public sealed class ReproducibilityTests(BuildScriptFixture build) : IDisposable
{
    private static readonly string Tarball = $"artifacts/tracer-7.3.1-{Arch.Host.Rid}.tar.gz";
    private static readonly string Sbom = $"artifacts/{Arch.Host.SbomFileName("7.3.1")}";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string TaggedClone(string folder)
    {
        var clone = Path.Combine(_temp.Path, folder);
        Programs.Run("git", ["clone", "-q", Repository.Root, clone], echo: false);
        Programs.Run("git", ["-C", clone, "tag", "v7.3.1"], echo: false);
        return clone;
    }

    [Fact]
    public void Two_builds_of_one_commit_give_identical_tarballs_whatever_the_mtimes_and_the_folder()
    {
        var clone = TaggedClone("first");
        build.SucceedIn(clone, "--target", "Package", "--arch", Arch.Host.Name);
        var first = File.ReadAllBytes(Path.Combine(clone, Tarball));
        var firstSbom = File.ReadAllBytes(Path.Combine(clone, Sbom));

        foreach (var file in Directory.EnumerateFiles(clone, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/.git/") && !f.Contains("/artifacts/")))
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(5));
        // --force: the sources' content did not change, so without it every target would rightly be up to date.
        build.SucceedIn(clone, "--target", "Package", "--arch", Arch.Host.Name, "--force");
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(clone, Tarball)));
        Assert.Equal(firstSbom, File.ReadAllBytes(Path.Combine(clone, Sbom)));

        var elsewhere = TaggedClone(Path.Combine("another", "place"));
        build.SucceedIn(elsewhere, "--target", "Package", "--arch", Arch.Host.Name);
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(elsewhere, Tarball)));
        Assert.Equal(firstSbom, File.ReadAllBytes(Path.Combine(elsewhere, Sbom)));

        using var extracted = new TempDirectory();
        BuildScriptFixture.Extract(Path.Combine(clone, Tarball), extracted.Path);
        var version = Programs.Run(Path.Combine(extracted.Path, $"tracer-7.3.1-{Arch.Host.Rid}", "tracer"), ["--version"], echo: false);
        Assert.Equal($"tracer 7.3.1 {Arch.Host.Rid}", version.Output.Trim());
    }
}
