namespace TracerBuild.Tests;

/// <summary>
/// install.sh against loopback releases of small stand-in tarballs (a tracer that is a shell script): versions, upgrades
/// and every refusal. Each refusal is one line on stderr, exit code 1, and the prefix left as it was.
/// </summary>
public sealed class InstallScriptTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly LoopbackReleases _releases = new();
    private readonly string _prefix;

    public InstallScriptTests()
    {
        _prefix = Path.Combine(_temp.Path, "prefix");
        _releases.Publish("1.0.0", StandInPackages("1.0.0", Arch.All), latest: false);
        _releases.Publish("1.1.0", StandInPackages("1.1.0", Arch.All));
    }

    private string Script(string version = "1.1.0") =>
        Path.Combine(_releases.Publish(version, StandInPackages(version, Arch.All), latest: version == "1.1.0"), "install.sh");

    /// <summary>Each arch's tarball with a tracer that prints its version and arch, and an SBOM (its content is not read here).</summary>
    private IEnumerable<string> StandInPackages(string version, IEnumerable<Arch> arches)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_temp.Path, "packages", version)).FullName;
        foreach (var arch in arches)
        {
            var top = arch.TarballName(version);
            var tracer = Path.Combine(folder, $"tracer-{arch.Name}");
            File.WriteAllText(tracer, $"#!/bin/sh\necho \"tracer {version} {arch.Rid}\"\n");
            var tarball = Path.Combine(folder, $"{top}.tar.gz");
            Tarball.Write(tarball, [TarballEntry.Folder(top), new TarballEntry($"{top}/tracer", tracer, TarballEntry.Executable)], DateTimeOffset.UnixEpoch);
            var sbom = Path.Combine(folder, arch.SbomFileName(version));
            File.WriteAllText(sbom, "{}\n");
            yield return tarball;
            yield return sbom;
        }
    }

    private ProcessResult Install(params string[] arguments) => Install(Script(), arguments);

    private ProcessResult Install(string script, string[] arguments, string? tools = null, bool asNobody = false) =>
        InstallScriptRunner.Run(script, [.. arguments, "--base-url", _releases.BaseUrl], tools, asNobody);

    private string InstalledVersion() => Programs.Run(Path.Combine(_prefix, "bin", "tracer"), ["--version"], echo: false).Output.Trim();

    /// <summary>Every file and link under the prefix, with its target or content, to show a failure changed nothing.</summary>
    private string[] PrefixContents() =>
        !Directory.Exists(_prefix) ? [] :
        [.. Directory.EnumerateFileSystemEntries(_prefix, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => new FileInfo(p) is { LinkTarget: { } target } ? $"{p} -> {target}" : File.Exists(p) ? $"{p}: {File.ReadAllText(p)}" : p)];

    private static void AssertRefused(ProcessResult result, string expected)
    {
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Lines);
        Assert.StartsWith("install.sh: ", line);
        Assert.Contains(expected, line);
        Assert.Equal("", result.StandardOutput);
    }

    [Fact]
    public void Without_a_version_the_latest_release_is_installed_and_a_version_installs_that_release_over_it()
    {
        var latest = Install("--prefix", _prefix);
        Assert.True(latest.ExitCode == 0, latest.Output);
        Assert.Equal($"tracer 1.1.0 {Arch.Host.Rid}", InstalledVersion());
        Assert.Contains($"sudo {_prefix}/bin/tracer monitor --duration 10", latest.StandardOutput);

        var older = Install("--prefix", _prefix, "--version", "v1.0.0");
        Assert.True(older.ExitCode == 0, older.Output);
        Assert.Equal($"tracer 1.0.0 {Arch.Host.Rid}", InstalledVersion());
        Assert.Equal(1, _releases.Server.RequestsFor(LoopbackReleases.AssetPath("1.0.0", $"{Arch.Host.TarballName("1.0.0")}.tar.gz")));
        Assert.Equal(["tracer"], Directory.EnumerateFileSystemEntries(Path.Combine(_prefix, "lib")).Select(Path.GetFileName));
        Assert.Equal(["tracer"], Directory.EnumerateFileSystemEntries(Path.Combine(_prefix, "bin")).Select(Path.GetFileName));
    }

    [Fact]
    public void The_published_script_carries_the_repository_and_the_arch_table_and_the_repository_copy_refuses_to_run()
    {
        var published = File.ReadAllText(Script());
        Assert.Contains($"\nrepository='{LoopbackReleases.Repository}'\n", published);
        Assert.Contains($"\narches='{GitHub.InstallScript.ArchTable}'\n", published);
        Assert.All(Arch.All, a => Assert.Contains($"{a.Machine}={a.Rid}", GitHub.InstallScript.ArchTable));

        var unpublished = InstallScriptRunner.Run(Path.Combine(Repository.Root, "install.sh"), ["--prefix", _prefix, "--base-url", _releases.BaseUrl]);
        AssertRefused(unpublished, "use the install.sh published with a release");
        Assert.Equal(0, _releases.Server.Requests);
    }

    [Fact]
    public void An_unknown_arch_is_refused_naming_it_before_any_download()
    {
        var result = Install(Script(), ["--prefix", _prefix], tools: InstallScriptRunner.UnameSaying(_temp.Path, "riscv64"));

        AssertRefused(result, "no tracer for this machine's arch 'riscv64' (uname -m)");
        Assert.All(Arch.All, a => Assert.Contains(a.Machine, result.Output));
        Assert.Equal(0, _releases.Server.Requests);
        Assert.Empty(PrefixContents());
    }

    [Fact]
    public void A_version_that_was_never_released_is_refused()
    {
        var result = Install("--prefix", _prefix, "--version", "9.9.9");

        AssertRefused(result, $"cannot download {_releases.BaseUrl}/download/v9.9.9/SHA256SUMS");
        Assert.Empty(PrefixContents());
    }

    [Fact]
    public void A_release_without_this_machine_s_tarball_is_refused()
    {
        // As a release of the other arches only would be: no tarball of this one, and none in SHA256SUMS.
        var folder = _releases.Publish("1.2.0", StandInPackages("1.2.0", Arch.All), latest: false);
        var hostTarball = $"{Arch.Host.TarballName("1.2.0")}.tar.gz";
        File.Delete(Path.Combine(folder, hostTarball));
        var sums = Path.Combine(folder, "SHA256SUMS");
        File.WriteAllLines(sums, File.ReadAllLines(sums).Where(l => !l.EndsWith(hostTarball, StringComparison.Ordinal)));

        var result = Install(Path.Combine(folder, "install.sh"), ["--prefix", _prefix, "--version", "1.2.0"]);

        AssertRefused(result, $"release v1.2.0 has no {Arch.Host.Rid} tarball");
        Assert.Empty(PrefixContents());
    }

    [Fact]
    public void A_tarball_listed_in_SHA256SUMS_but_not_served_is_refused()
    {
        var folder = _releases.Publish("1.2.1", StandInPackages("1.2.1", Arch.All), latest: false);
        File.Delete(Path.Combine(folder, $"{Arch.Host.TarballName("1.2.1")}.tar.gz"));

        var result = Install(Path.Combine(folder, "install.sh"), ["--prefix", _prefix, "--version", "1.2.1"]);

        AssertRefused(result, $"cannot download {_releases.BaseUrl}/download/v1.2.1/{Arch.Host.TarballName("1.2.1")}.tar.gz");
        Assert.Empty(PrefixContents());
    }

    [Fact]
    public void A_checksum_mismatch_is_refused_and_leaves_the_installed_version_as_it_was()
    {
        Assert.Equal(0, Install("--prefix", _prefix, "--version", "1.0.0").ExitCode);
        var before = PrefixContents();
        var folder = _releases.Publish("1.2.2", StandInPackages("1.2.2", Arch.All), latest: false);
        var tarball = Path.Combine(folder, $"{Arch.Host.TarballName("1.2.2")}.tar.gz");
        var bytes = File.ReadAllBytes(tarball);
        bytes[^10] ^= 0xFF;
        File.WriteAllBytes(tarball, bytes);

        var result = Install(Path.Combine(folder, "install.sh"), ["--prefix", _prefix, "--version", "1.2.2"]);

        AssertRefused(result, $"checksum mismatch for {Arch.Host.TarballName("1.2.2")}.tar.gz");
        Assert.Contains(Sha256.Of(bytes), result.Output);
        Assert.Equal(before, PrefixContents());
        Assert.Equal($"tracer 1.0.0 {Arch.Host.Rid}", InstalledVersion());
    }

    [Fact]
    public void A_prefix_without_write_access_is_refused_before_any_download()
    {
        var locked = Directory.CreateDirectory(Path.Combine(_temp.Path, "locked")).FullName;
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        // Root writes anywhere: as root the script runs as nobody, who may read and enter the folder but not write in it.
        File.SetUnixFileMode(_temp.Path, File.GetUnixFileMode(_temp.Path) | UnixFileMode.OtherExecute);
        var prefix = Path.Combine(locked, "usr");

        var result = Install(Script(), ["--prefix", prefix], asNobody: Repository.IsRoot);

        AssertRefused(result, $"no write access to {locked}");
        Assert.Equal(0, _releases.Server.Requests);
        Assert.Empty(Directory.EnumerateFileSystemEntries(locked));
    }

    [Theory]
    [InlineData("--frobnicate", "unknown option '--frobnicate'")]
    [InlineData("--prefix", "--prefix needs a value")]
    [InlineData("--version=1.0.0", "unknown option '--version=1.0.0'")]
    public void Bad_options_are_refused_in_one_line(string option, string expected)
    {
        var result = InstallScriptRunner.Run(Script(), [option]);

        AssertRefused(result, expected);
        Assert.Equal(0, _releases.Server.Requests);
    }

    [Fact]
    public void Version_must_look_like_a_version()
    {
        AssertRefused(Install("--prefix", _prefix, "--version", "latest"), "invalid --version 'latest': expected vX.Y.Z");
    }

    public void Dispose()
    {
        _releases.Dispose();
        _temp.Dispose();
    }
}
