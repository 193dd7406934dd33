using System.Diagnostics;

namespace TracerBuild.Vm;

/// <summary>A finished VM boot: its serial console, how long it took, and whether it had to be stopped.</summary>
public sealed record VmBoot(string Console, TimeSpan Elapsed, bool TimedOut);

/// <summary>Boots an image under qemu's TCG (this machine's /dev/kvm cannot run a stock kernel), console on stdio.</summary>
public static class Qemu
{
    public static VmBoot Boot(Arch arch, VmImage image, string consoleLog, TimeSpan timeout, CancellationToken interruption)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(interruption);
        limit.CancelAfter(timeout);
        var clock = Stopwatch.StartNew();
        var result = ProcessRunner.TryRun(arch.QemuSystem,
        [
            .. arch.QemuMachine, "-m", "1024", "-smp", "2", "-accel", "tcg",
            "-nographic", "-nodefaults", "-serial", "stdio", "-nic", "none", "-no-reboot",
            "-kernel", image.Kernel, "-initrd", image.Initramfs,
            // panic=-1: a crash reboots, which -no-reboot turns into an exit instead of a hang.
            "-append", $"console={arch.SerialConsole} panic=-1 loglevel=1 rdinit=/init",
        ], interruption: limit.Token);
        clock.Stop();
        interruption.ThrowIfCancellationRequested();
        File.WriteAllText(consoleLog, result.Output);
        return new(result.Output, clock.Elapsed, limit.IsCancellationRequested);
    }
}
