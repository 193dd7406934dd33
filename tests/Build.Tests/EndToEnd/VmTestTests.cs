using System.Text.RegularExpressions;

namespace TracerBuild.Tests;

/// <summary>VmTest end to end: both arches' tarballs booted on Debian's stable kernel and userland of their arch under qemu.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class VmTestTests
{
    [Fact]
    public void Both_arches_pass_on_the_default_kernel_and_its_userland_as_root_and_as_nobody_with_capabilities()
    {
        // The user's cache: a warm run downloads nothing, so only a fresh machine fetches the kernels.
        var result = BuildScriptFixture.BuildScript(Repository.Root,
            "--target", "VmTest", "--arch", "x64", "arm64", "--version", "1.2.3", "--vmlinux-mirror", Repository.VmlinuxMirror);

        Assert.True(result.ExitCode == 0, result.Output);
        var summary = File.ReadAllText(BuildScriptFixture.Artifact("vmtest/summary.md"));
        foreach (var arch in Arch.All)
        {
            // trixie's own C library, 2.41: the VM runs the release's userland, not the build machine's.
            var row = Regex.Match(summary, $@"(?m)^\| {arch.Name} \| trixie \| 6\.12\.\S+ \| 2\.41 \| \d+ s \| (\d+) \| ([^|(]+?)(?: \(nonroot: ([^)]+)\))?(?: \(nobtf: ([^)]+)\))? \| pass \|$");
            Assert.True(row.Success, summary);
            // Four rounds of triggers (every capability's; the third as nobody, the fourth without the kernel's BTF) and the
            // doctor's live connects.
            Assert.True(int.Parse(row.Groups[1].Value) >= 300, summary);
            // 6.12 has kprobes and bpf_task_pt_regs: as root each capability takes its preferred hook (the second round
            // forces the others); as nobody, without tracefs or kprobes, the fallbacks.
            Assert.Equal("connect=kprobe exec=syscall file=syscall module=syscall socket=syscall", row.Groups[2].Value);
            Assert.Equal("connect=tracepoint exec=sys_exit file=sys_exit module=sys_exit socket=sys_exit", row.Groups[3].Value);
            // Without the kernel's BTF, file and socket cannot read registers at their syscalls' tracepoints.
            Assert.Equal("file=sys_exit socket=sys_exit", row.Groups[4].Value);
            Assert.Contains("@@vmtest done", File.ReadAllText(BuildScriptFixture.Artifact($"vmtest/{arch.Name}-trixie.log")));
        }
    }
}
