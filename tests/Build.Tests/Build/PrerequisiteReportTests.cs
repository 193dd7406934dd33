namespace TracerBuild.Tests;

public sealed class PrerequisiteReportTests
{
    [Theory]
    [InlineData("/usr/include/features.h:510:12: fatal error: 'gnu/stubs-32.h' file not found", "libc6-dev-i386")]
    [InlineData("/usr/include/linux/types.h:5:10: fatal error: 'asm/types.h' file not found", "-I/usr/include/")]
    [InlineData("bpf/tracer.bpf.c:2:10: fatal error: 'vmlinux.h' file not found", "the Vmlinux target fetches it")]
    public void Known_clang_failures_get_their_fix(string clangOutput, string fix) =>
        Assert.Contains(fix, CompilerHints.For(clangOutput));

    [Fact]
    public void Other_clang_failures_get_no_guess() =>
        Assert.Null(CompilerHints.For("tracer.bpf.c:20:5: error: use of undeclared identifier 'x'"));

    [Fact]
    public void The_asm_hint_names_this_machine_s_multiarch_folder() =>
        Assert.Contains($"-I/usr/include/{Arch.Host.GnuTriplet}", CompilerHints.For("fatal error: 'asm/types.h' file not found"));

    [Fact]
    public void A_missing_tool_is_reported_with_the_command_that_installs_it()
    {
        var checks = PrerequisiteReport.Check([Arch.Host], selfContained: false, name => name == "bpftool" ? null : $"/usr/bin/{name}");

        var bpftool = Assert.Single(checks, c => c.Name == "bpftool");
        Assert.False(bpftool.Ok);
        Assert.Matches(@"(?m)^bpftool\s+MISSING\s+not on PATH; fix: sudo apt-get install bpftool$", PrerequisiteReport.Table(checks));
    }

    [Fact]
    public void Every_requested_arch_gets_its_linker_checked_and_foreign_ones_name_the_cross_binutils()
    {
        var other = Arch.All.First(a => a != Arch.Host);
        var checks = PrerequisiteReport.Check(Arch.All, selfContained: true, _ => null);

        Assert.All(Arch.All, a => Assert.Single(checks, c => c.Name == $"{a.Name} linker"));
        Assert.Equal($"sudo apt-get install binutils-{other.GnuTriplet.Replace('_', '-')}", checks.Single(c => c.Name == $"{other.Name} linker").Fix);
        Assert.Equal("sudo apt-get install binutils", checks.Single(c => c.Name == $"{Arch.Host.Name} linker").Fix);
        Assert.All(Arch.All, a => Assert.Single(checks, c => c.Name == $"{a.Rid} runtime pack"));
        Assert.False(checks.Single(c => c.Name.StartsWith("clang", StringComparison.Ordinal)).Ok);
    }
}
