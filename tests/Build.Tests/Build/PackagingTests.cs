using System.IO.Compression;

namespace TracerBuild.Tests;

public sealed class PackagingTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>An x64 library every x64 Debian machine has (zlib1g is essential).</summary>
    private static readonly string X64Zlib = $"/usr/lib/{Arch.X64.GnuTriplet}/libz.so.1";

    [Fact]
    public void An_x86_library_staged_for_arm64_fails_the_check_naming_file_and_arches()
    {
        var x86Library = X64Zlib;
        Assert.SkipUnless(File.Exists(x86Library), $"{x86Library} is not installed (zlib1g:amd64).");

        var error = Assert.Throws<BuildFailedException>(() =>
            ArchCheck.Verify(Arch.Arm64, [new TarballEntry("t/lib/libz.so.1", x86Library, TarballEntry.Regular)]));

        Assert.Equal($"{x86Library} (packaged as t/lib/libz.so.1) is built for x64 (ELF e_machine 62), expected arm64 (ELF e_machine 183).", error.Message);
    }

    [Fact]
    public void The_probe_refuses_an_x86_library_in_an_arm64_lib_folder()
    {
        var probe = new LibbpfProbe(Arch.Arm64, Repository.Root);
        Assert.SkipUnless(probe.IsAvailable, $"{probe.Unavailable} (the Test target installs them).");
        var mixed = Directory.CreateDirectory(Path.Combine(_temp.Path, "lib")).FullName;
        // libz loads first, so the others never get tried.
        File.Copy(X64Zlib, Path.Combine(mixed, "libz.so.1"));
        File.WriteAllText(Path.Combine(mixed, "libelf.so.1"), "never loaded");
        File.WriteAllText(Path.Combine(mixed, "libbpf.so.1"), "never loaded");

        var error = Assert.Throws<BuildFailedException>(() => probe.Run(mixed));

        Assert.StartsWith("The arm64 libraries do not load under qemu: cannot load ", error.Message);
        Assert.Contains("libz.so.1", error.Message);
    }

    [Fact]
    public void A_BPF_object_without_BTF_is_refused()
    {
        var clang = "/usr/bin/clang";
        Assert.SkipUnless(File.Exists(clang), "clang is not installed (the Preflight target installs it).");
        var source = Path.Combine(_temp.Path, "empty.bpf.c");
        File.WriteAllText(source, "__attribute__((section(\"xdp\"), used)) int pass(void *ctx) { return 2; }\n");
        var withBtf = Path.Combine(_temp.Path, "with.o");
        var without = Path.Combine(_temp.Path, "without.o");
        Programs.Run(clang, ["-g", "-O2", "-target", "bpf", "-c", source, "-o", withBtf], echo: false);
        Programs.Run(clang, ["-O2", "-target", "bpf", "-c", source, "-o", without], echo: false);

        ArchCheck.VerifyBpfObject(withBtf);
        var error = Assert.Throws<BuildFailedException>(() => ArchCheck.VerifyBpfObject(without));
        Assert.Equal($"{without} has no .BTF or .BTF.ext section: compile it with clang -g so libbpf can relocate it.", error.Message);

        var notBpf = Assert.Throws<BuildFailedException>(() => ArchCheck.VerifyBpfObject(X64Zlib));
        Assert.EndsWith("is built for x64 (ELF e_machine 62), expected BPF (ELF e_machine 247).", notBpf.Message);
    }

    [Fact]
    public void Files_that_are_not_ELF_pass_the_check()
    {
        var script = Path.Combine(_temp.Path, "tracer");
        File.WriteAllText(script, "#!/bin/sh\n");
        ArchCheck.Verify(Arch.Arm64, [new TarballEntry("t/tracer", script, TarballEntry.Executable), TarballEntry.Folder("t")]);
    }

    [Fact]
    public void Tarballs_are_sorted_owned_by_root_dated_and_byte_identical_across_writes()
    {
        var a = Path.Combine(_temp.Path, "b.txt");
        var b = Path.Combine(_temp.Path, "a.sh");
        File.WriteAllText(a, "text");
        File.WriteAllText(b, "#!/bin/sh");
        var mtime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        TarballEntry[] entries = [new("top/b.txt", a, TarballEntry.Regular), new("top/a.sh", b, TarballEntry.Executable), TarballEntry.Folder("top")];

        var first = Path.Combine(_temp.Path, "first.tar.gz");
        var second = Path.Combine(_temp.Path, "second.tar.gz");
        Tarball.Write(first, entries, mtime);
        File.SetLastWriteTimeUtc(a, DateTime.UtcNow.AddDays(-3));
        Tarball.Write(second, entries.Reverse(), mtime);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        var read = TarballReader.Read(first);
        Assert.Equal(["top/", "top/a.sh", "top/b.txt"], read.Select(e => e.Name));
        Assert.All(read, e =>
        {
            Assert.Equal((0, 0), (e.Uid, e.Gid));
            Assert.Equal(mtime.UtcDateTime, e.Modified?.ToUniversalTime());
        });
        Assert.Equal([TarballEntry.Executable, TarballEntry.Executable, TarballEntry.Regular], read.Select(e => e.Mode));
        // GNU format: the header's magic is "ustar  \0" (POSIX ustar and PAX have "ustar\0" and a version).
        using var tar = new GZipStream(File.OpenRead(first), CompressionMode.Decompress);
        var header = new byte[512];
        tar.ReadExactly(header);
        Assert.Equal("ustar  \0"u8.ToArray(), header[257..265]);
        Assert.Empty(Directory.EnumerateFiles(_temp.Path, "*.tmp-*"));
    }
}
