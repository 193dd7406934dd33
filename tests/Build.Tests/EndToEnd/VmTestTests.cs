using System.Text.RegularExpressions;

namespace TracerBuild.Tests;

/// <summary>VmTest end to end: both arches' tarballs booted on Debian's stable kernel of their arch under qemu.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class VmTestTests
{
    [Fact]
    public void Both_arches_pass_on_the_default_kernel_with_every_event_checked_on_both_connect_paths()
    {
        // The user's cache: a warm run downloads nothing, so only a fresh machine fetches the kernels.
        var result = BuildScriptFixture.BuildScript(Repository.Root,
            "--target", "VmTest", "--arch", "x64", "arm64", "--version", "1.2.3", "--vmlinux-mirror", Repository.VmlinuxMirror);

        Assert.True(result.ExitCode == 0, result.Output);
        var summary = File.ReadAllText(BuildScriptFixture.Artifact("vmtest/summary.md"));
        foreach (var arch in Arch.All)
        {
            var row = Regex.Match(summary, $@"(?m)^\| {arch.Name} \| trixie \| 6\.12\.\S+ \| \d+ s \| (\d+) \| (\w+) \| (\w+) \| pass \|$");
            Assert.True(row.Success, summary);
            // Two rounds of triggers (exec, opens, four connects each) and the doctor's live connects.
            Assert.True(int.Parse(row.Groups[1].Value) >= 40, summary);
            Assert.Equal("kprobe", row.Groups[2].Value);
            Assert.Equal("syscall", row.Groups[3].Value); // 6.12 has bpf_task_pt_regs; the second round forces sys_exit
            Assert.Contains("@@vmtest done", File.ReadAllText(BuildScriptFixture.Artifact($"vmtest/{arch.Name}-trixie.log")));
        }
    }
}
