using System.Runtime.InteropServices;

namespace TracerBuild.Tests;

public sealed class ArchTests
{
    [Theory]
    [InlineData("x64", "x86_64 amd64", "linux-x64", "x86", "x86_64", "x86_64-linux-gnu", 62, "amd64", "x86_64-linux-gnu-gcc", "gcc-x86-64-linux-gnu")]
    [InlineData("arm64", "aarch64", "linux-arm64", "arm64", "aarch64", "aarch64-linux-gnu", 183, "arm64", "aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")]
    public void The_table_matches_the_design(
        string name, string aliases, string rid, string clangArch, string vmlinuxDir, string gnuTriplet, int elfMachine, string debianArch,
        string crossCompiler, string crossGccPackage)
    {
        var arch = Assert.Single(Arch.All, a => a.Name == name);
        Assert.Equal(aliases.Split(' '), arch.Aliases);
        Assert.Equal(rid, arch.Rid);
        Assert.Equal(clangArch, arch.ClangTargetArch);
        Assert.Equal(vmlinuxDir, arch.VmlinuxDir);
        Assert.Equal(gnuTriplet, arch.GnuTriplet);
        Assert.Equal(elfMachine, arch.ElfMachine);
        Assert.Equal(debianArch, arch.DebianArch);
        Assert.Equal(crossCompiler, arch.CrossCompiler);
        Assert.Equal(crossGccPackage, arch.CrossPackages[0]);
    }

    [Theory]
    [InlineData("x64", "x64")]
    [InlineData("X86_64", "x64")]
    [InlineData("amd64", "x64")]
    [InlineData("arm64", "arm64")]
    [InlineData("aarch64", "arm64")]
    public void Names_and_aliases_parse(string name, string expected) =>
        Assert.Equal(expected, Assert.Single(Parse(name)).Name);

    [Fact]
    public void All_and_duplicates_give_each_arch_once_in_table_order()
    {
        Assert.Equal([Arch.X64, Arch.Arm64], Parse("all"));
        Assert.Equal([Arch.X64, Arch.Arm64], Parse("aarch64", "x64", "arm64"));
    }

    [Fact]
    public void Host_is_this_machine()
    {
        var expected = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? Arch.Arm64 : Arch.X64;
        Assert.Equal([expected], Parse("host"));
    }

    [Fact]
    public void An_unknown_arch_names_what_is_accepted()
    {
        var error = Assert.Throws<FormatException>(() => Parse("riscv64"));
        Assert.Equal("Unknown arch 'riscv64'. Accepted: x64 (x86_64, amd64), arm64 (aarch64), host, all.", error.Message);
    }

    /// <summary>The arches --arch picks with these values, as the engine binds them.</summary>
    private static IReadOnlyList<Arch> Parse(params string[] values) => TableRows<Arch>.Union([.. values.Select(v => TableRows<Arch>.Parse(v, null))]);
}
