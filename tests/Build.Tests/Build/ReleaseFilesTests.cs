using TracerBuild.GitHub;

namespace TracerBuild.Tests;

/// <summary>What a release publishes: each arch's tarball and SBOM, install.sh for the repository, SHA256SUMS over them all.</summary>
public sealed class ReleaseFilesTests : IDisposable
{
    private readonly TempDirectory _artifacts = new();

    public ReleaseFilesTests()
    {
        foreach (var arch in Arch.All)
        {
            File.WriteAllText(Path.Combine(_artifacts.Path, $"{arch.TarballName("1.2.3")}.tar.gz"), $"tarball {arch.Name}");
            File.WriteAllText(Path.Combine(_artifacts.Path, arch.SbomFileName("1.2.3")), $"sbom {arch.Name}");
        }
        // Another version's files are not this release's.
        File.WriteAllText(Path.Combine(_artifacts.Path, $"{Arch.X64.TarballName("1.2.4")}.tar.gz"), "newer");
    }

    private string InstallTemplate => Path.Combine(Repository.Root, InstallScript.FileName);

    [Fact]
    public void SHA256SUMS_covers_every_asset_and_comes_last()
    {
        var assets = ReleaseFiles.Prepare(InstallTemplate, _artifacts.Path, "1.2.3", "acme/tracer");

        Assert.Equal(
            [.. Arch.All.SelectMany(a => new[] { $"{a.TarballName("1.2.3")}.tar.gz", a.SbomFileName("1.2.3") }).Order(StringComparer.Ordinal), "install.sh", "SHA256SUMS"],
            assets.Select(Path.GetFileName));
        var check = Programs.TryRun("sha256sum", ["--strict", "-c", "SHA256SUMS"], workingDirectory: _artifacts.Path);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Equal(assets.Count - 1, check.Lines.Count(l => l.EndsWith(": OK", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("tarball")]
    [InlineData("sbom")]
    public void A_missing_tarball_or_SBOM_is_refused_naming_it(string which)
    {
        var missing = which == "sbom" ? Arch.Arm64.SbomFileName("1.2.3") : $"{Arch.Arm64.TarballName("1.2.3")}.tar.gz";
        File.Delete(Path.Combine(_artifacts.Path, missing));

        var e = Assert.Throws<BuildFailedException>(() => ReleaseFiles.Packages(_artifacts.Path, "1.2.3"));

        Assert.Contains($"missing: {missing}.", e.Message);
    }

    [Fact]
    public void Filling_in_a_script_without_its_blanks_fails_naming_the_line()
    {
        var e = Assert.Throws<BuildFailedException>(() => InstallScript.Render("#!/bin/sh\nrepository=''\n", "acme/tracer"));

        Assert.Equal("install.sh must have exactly one line arches='' for the Release target to fill in.", e.Message);
    }

    public void Dispose() => _artifacts.Dispose();
}
