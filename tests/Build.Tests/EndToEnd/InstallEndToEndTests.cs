using System.Text.Json;

namespace TracerBuild.Tests;

/// <summary>
/// The issue's "done when": each arch's real tarball, built by ./build.sh, installed by the published install.sh from a
/// loopback release the way a user does (<c>curl -fsSL .../install.sh | sh -s --</c>), then <c>tracer --version</c>;
/// the arm64 one where <c>uname -m</c> says so because it runs under qemu-user.
/// </summary>
[Collection(BuildScriptCollection.Name)]
public sealed class InstallEndToEndTests(BuildScriptFixture build) : IDisposable
{
    private const string Version = "1.2.3";
    private readonly TempDirectory _temp = new();
    private readonly LoopbackReleases _releases = new();

    [Fact]
    public void Each_arch_installs_from_the_latest_loopback_release_through_the_published_script_and_runs()
    {
        var foreign = Arch.All.Single(a => a != Arch.Host);
        var qemu = $"/usr/bin/qemu-{foreign.Machine}-static";
        var compiler = $"/usr/bin/{foreign.CrossCompiler}";
        Assert.SkipUnless(File.Exists(qemu) && File.Exists(compiler),
            $"Installing the {foreign.Name} tarball where uname -m says {foreign.Machine} needs {qemu} and {compiler} (the Test target installs them).");

        build.Succeed("--target", "Package", "--arch", "all", "--version", Version);
        var packages = Arch.All.SelectMany(a => new[] { BuildScriptFixture.Artifact($"{a.TarballName(Version)}.tar.gz"), BuildScriptFixture.Artifact(a.SbomFileName(Version)) });
        _releases.Publish(Version, packages);

        foreach (var arch in Arch.All)
        {
            var prefix = Path.Combine(_temp.Path, $"prefix-{arch.Name}");
            var tools = arch == Arch.Host ? null : UnameOfEmulated(foreign, qemu, compiler);
            var install = Programs.TryRun("/bin/sh",
                ["-c", "curl -fsSL \"$1/latest/download/install.sh\" | sh -s -- --prefix \"$2\"", "sh", _releases.BaseUrl, prefix],
                environment: new Dictionary<string, string>
                {
                    ["TRACER_RELEASES_URL"] = _releases.BaseUrl,
                    ["PATH"] = tools is null ? Environment.GetEnvironmentVariable("PATH")! : $"{tools}:{Environment.GetEnvironmentVariable("PATH")}",
                });

            Assert.True(install.ExitCode == 0, $"install.sh for {arch.Name} failed:\n{install.Output}");
            Assert.Contains($"Installed {arch.TarballName(Version)} into {prefix}/lib/tracer, linked from {prefix}/bin/tracer.", install.Output);
            Assert.Equal(1, _releases.Server.RequestsFor($"{LoopbackReleases.Repository}/releases/latest/download/{arch.TarballName(Version)}.tar.gz"));
            // Nothing else: no staging folder left behind.
            Assert.Equal(["tracer"], Directory.EnumerateFileSystemEntries(Path.Combine(prefix, "lib")).Select(Path.GetFileName));
            Assert.Equal("../lib/tracer/tracer", new FileInfo(Path.Combine(prefix, "bin", "tracer")).LinkTarget);
            Assert.Equal(arch.ElfMachine, Elf.Machine(Path.Combine(prefix, "lib", "tracer", "tracer")));
            Assert.True(File.Exists(Path.Combine(prefix, "lib", "tracer", "licenses", "libbpf", "LICENSE.BSD-2-Clause")));
            // The user's README travels in the tarball, not the developers'.
            Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "docs", "USER-README.md")), File.ReadAllText(Path.Combine(prefix, "lib", "tracer", "README.md")));

            var tracer = Path.Combine(prefix, "bin", "tracer");
            var version = arch == Arch.Host
                ? Programs.TryRun(tracer, ["--version"])
                : Programs.TryRun(qemu, [tracer, "--version"]);
            Assert.True(version.ExitCode == 0, $"{tracer} --version:\n{version.Output}");
            Assert.Equal($"tracer {Version} {arch.Rid}", version.Output.Trim());
        }

        // Started through its link, the host's tracer runs with the libbpf linked into it.
        var doctor = Programs.TryRun(Path.Combine(_temp.Path, $"prefix-{Arch.Host.Name}", "bin", "tracer"), ["doctor"]);
        Assert.Contains("linked into the tracer", doctor.StandardOutput);
    }

    [Fact]
    public void Each_tarball_has_an_SBOM_naming_the_runtime_the_packages_and_the_Debian_libraries_it_holds()
    {
        build.Succeed("--target", "Package", "--arch", "all", "--version", Version);

        foreach (var arch in Arch.All)
        {
            var tarball = BuildScriptFixture.Artifact($"{arch.TarballName(Version)}.tar.gz");
            using var sbom = JsonDocument.Parse(File.ReadAllText(BuildScriptFixture.Artifact(arch.SbomFileName(Version))));
            var root = sbom.RootElement;
            Assert.Equal("CycloneDX", root.GetProperty("bomFormat").GetString());
            Assert.Equal("1.6", root.GetProperty("specVersion").GetString());
            var tracer = root.GetProperty("metadata").GetProperty("component");
            Assert.Equal(("tracer", Version), (tracer.GetProperty("name").GetString(), tracer.GetProperty("version").GetString()));
            Assert.Equal(Sha256.OfFile(tarball), tracer.GetProperty("hashes")[0].GetProperty("content").GetString());

            var components = root.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
            var runtime = components[$"Microsoft.NETCore.App.Runtime.{arch.Rid}"];
            Assert.Matches(@"^10\.0\.\d+$", runtime.GetProperty("version").GetString());
            Assert.Equal("MIT", runtime.GetProperty("licenses")[0].GetProperty("expression").GetString());
            var commandLine = components["System.CommandLine"];
            Assert.Equal("pkg:nuget/System.CommandLine@" + commandLine.GetProperty("version").GetString(), commandLine.GetProperty("purl").GetString());
            Assert.Equal("MIT", commandLine.GetProperty("licenses")[0].GetProperty("expression").GetString());

            // Linked into the tracer: each at the version linked, hashed as the archive that went into the link.
            var native = new NativeLibraries(AbsolutePath.Of(BuildScriptFixture.Artifact($"obj/native/{arch.Name}")));
            var debian = Sysroot.Versions(native.SysrootFolder);
            foreach (var (name, version, archive) in new[] { ("libbpf", LibbpfSource.Version, "libbpf.a"), ("libelf", debian["libelf-dev"], "libelf.a"), ("zlib", debian["zlib1g-dev"], "libz.a") })
            {
                var library = components[name];
                Assert.Equal(version, library.GetProperty("version").GetString());
                Assert.Equal($"{arch.TarballName(Version)}/tracer", library.GetProperty("evidence").GetProperty("occurrences")[0].GetProperty("location").GetString());
                Assert.Equal(Sha256.OfFile(native.Static / archive), library.GetProperty("hashes")[0].GetProperty("content").GetString());
            }
            Assert.Contains($"?arch={arch.DebianArch}&distro=debian-{Sysroot.Suite}", components["libelf"].GetProperty("purl").GetString());
            Assert.Equal(["LGPL-2.1-only OR BSD-2-Clause", "LGPL-3.0-or-later OR GPL-2.0-or-later", "Zlib"],
                new[] { "libbpf", "libelf", "zlib" }.Select(n => components[n].GetProperty("licenses")[0].GetProperty("expression").GetString()));
            Assert.Equal(components.Count, root.GetProperty("dependencies")[0].GetProperty("dependsOn").GetArrayLength());
        }
    }

    /// <summary>
    /// A tools folder whose <c>uname</c> is an arm64 program run by qemu-user, so that <c>uname -m</c> asks the emulated
    /// machine. Compiled here: an arm64 coreutils cannot be installed beside the host's.
    /// </summary>
    private string UnameOfEmulated(Arch arch, string qemu, string compiler)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_temp.Path, $"uname-{arch.Name}")).FullName;
        var source = Path.Combine(folder, "uname.c");
        File.WriteAllText(source, """
            #include <stdio.h>
            #include <sys/utsname.h>
            int main(void) { struct utsname u; if (uname(&u) != 0) return 1; puts(u.machine); return 0; }
            """);
        var program = Path.Combine(folder, $"uname.{arch.Name}");
        Programs.Run(compiler, ["-static", "-O2", "-o", program, source], echo: false);
        var wrapper = Path.Combine(folder, "uname");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec {qemu} {program} \"$@\"\n");
        File.SetUnixFileMode(wrapper, TarballEntry.Executable);
        return folder;
    }

    public void Dispose()
    {
        _releases.Dispose();
        _temp.Dispose();
    }
}
