using System.Text.RegularExpressions;

namespace TracerBuild.Tests;

/// <summary>The floor check and the ELF reading it rests on, against binutils' reading of programs compiled here.</summary>
public sealed partial class GlibcFloorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Compiled with this machine's gcc against its own glibc (2.36 on Debian 12): pidfd_open is GLIBC_2.36.</summary>
    private string Compile(string name, string source, params string[] libraries)
    {
        Assert.SkipUnless(File.Exists("/usr/bin/gcc"), "gcc is not installed.");
        var c = Path.Combine(_temp.Path, name + ".c");
        File.WriteAllText(c, source);
        var program = Path.Combine(_temp.Path, name);
        Programs.Run("gcc", ["-O2", "-o", program, c, .. libraries], echo: false);
        return program;
    }

    [Fact]
    public void Imported_symbols_and_their_versions_are_those_objdump_lists()
    {
        var program = Compile("uses-pidfd", "#include <sys/pidfd.h>\n#include <math.h>\nint main(int c, char **v) { return pidfd_open(c, 0) + (int)log(c); }\n", "-lm");

        var objdump = UndefinedLine().Matches(Programs.Run("objdump", ["-T", program], echo: false).Output)
            .Select(m => $"{m.Groups[2].Value}@{m.Groups[1].Value}").Order(StringComparer.Ordinal);
        var ours = Elf.ImportedSymbols(program).Where(s => s.Version.Length > 0).Select(s => $"{s.Name}@{s.Version}").Order(StringComparer.Ordinal);

        Assert.Equal(objdump, ours);
        Assert.Contains("pidfd_open@GLIBC_2.36", ours);
        Assert.Equal(["libm.so.6", "libc.so.6"], Elf.NeededLibraries(program));
    }

    [Fact]
    public void A_file_with_a_symbol_above_the_floor_is_refused_naming_file_symbol_and_version()
    {
        var program = Compile("uses-pidfd", "#include <sys/pidfd.h>\nint main(int c, char **v) { return pidfd_open(c, 0); }\n");

        var error = Assert.Throws<BuildFailedException>(() => GlibcFloor.Verify([new TarballEntry("t/tracer", program, TarballEntry.Executable)]));

        Assert.Equal($"{program} (packaged as t/tracer) needs pidfd_open@GLIBC_2.36, above the glibc floor GLIBC_2.28: link it against the sysroot (target NativeLibraries).", error.Message);
    }

    [Fact]
    public void A_library_within_the_floor_and_files_that_are_not_ELF_pass()
    {
        var library = Compile("libold.so", "int add_one(int x) { return x + 1; }\n", "-shared", "-fPIC");
        Assert.All(Elf.RequiredVersions(library), r => Assert.True(GlibcFloor.GlibcVersion(r) <= GlibcFloor.Version, r));
        var text = Path.Combine(_temp.Path, "README.md");
        File.WriteAllText(text, "# not ELF\n");

        GlibcFloor.Verify([new TarballEntry("t/lib/libold.so", library, TarballEntry.Regular), new TarballEntry("t/README.md", text, TarballEntry.Regular), TarballEntry.Folder("t")]);
    }

    [Fact]
    public void A_required_version_no_symbol_is_bound_to_is_refused_too()
    {
        // Packed relative relocations make the loader require GLIBC_ABI_DT_RELR (glibc 2.36), a version no symbol names.
        var program = Compile("relr", "int main(void) { return 0; }\n", "-Wl,-z,pack-relative-relocs");
        Assert.Contains("GLIBC_ABI_DT_RELR", Elf.RequiredVersions(program));

        var error = Assert.Throws<BuildFailedException>(() => GlibcFloor.Verify([new TarballEntry("t/relr", program, TarballEntry.Executable)]));

        Assert.StartsWith($"{program} (packaged as t/relr) needs GLIBC_ABI_DT_RELR (required, though no symbol is bound to it), above the glibc floor GLIBC_2.28", error.Message);
    }

    [Fact]
    public void An_executable_that_needs_a_library_other_than_glibc_s_is_refused()
    {
        var program = Compile("uses-zlib", "#include <zlib.h>\nint main(void) { return zlibVersion()[0]; }\n", "-lz");

        var error = Assert.Throws<BuildFailedException>(() => GlibcFloor.VerifyOnlyGlibcNeeded(new TarballEntry("t/tracer", program, TarballEntry.Executable)));

        Assert.Equal($"{program} (packaged as t/tracer) needs libz.so.1: a NativeAOT tracer links everything but glibc in.", error.Message);
    }

    [Fact]
    public void Both_readmes_print_the_floor()
    {
        foreach (var readme in new[] { "README.md", "docs/USER-README.md" })
            Assert.Contains($"glibc {GlibcFloor.Version}", File.ReadAllText(Path.Combine(Repository.Root, readme)));
    }

    [GeneratedRegex(@"\*UND\*\s+\S+\s+\(([A-Z_0-9.]+)\)\s+(\S+)")]
    private static partial Regex UndefinedLine();
}
