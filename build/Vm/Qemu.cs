using System.Diagnostics;

namespace TracerBuild.Vm;

/// <summary>A finished VM boot: its serial console, how long it took, and whether it had to be stopped.</summary>
public sealed record VmBoot(string Console, TimeSpan Elapsed, bool TimedOut);

/// <summary>Boots an image under qemu's TCG (this machine's /dev/kvm cannot run a stock kernel), the console into a file.</summary>
public static class Qemu
{
    public static VmBoot Boot(Arch arch, VmImage image, string consoleLog, TimeSpan timeout, CancellationToken interruption)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(interruption);
        limit.CancelAfter(timeout);
        File.Delete(consoleLog);
        var clock = Stopwatch.StartNew();
        var timedOut = false;
        try
        {
            var result = Programs.TryRun(arch.QemuSystem,
            [
                // Two vCPUs on one TCG thread: multi-threaded TCG once ran a stale translation of kernel code that the
                // guest had just patched (a tracepoint's static call, as a second program attached to sys_exit), and
                // the x64 6.12 guest died of an int3 Oops; one thread applies each patch before the other vCPU runs.
                .. arch.QemuMachine, "-m", "1024", "-smp", "2", "-accel", "tcg,thread=single",
                // The console goes to a file, so that what a VM stopped at the time limit printed is kept too.
                "-display", "none", "-monitor", "none", "-nodefaults", "-serial", $"file:{consoleLog}", "-nic", "none", "-no-reboot",
                "-kernel", image.Kernel, "-initrd", image.Initramfs,
                // panic=-1: a crash reboots, which -no-reboot turns into an exit instead of a hang.
                "-append", $"console={arch.SerialConsole} panic=-1 loglevel=1 rdinit=/init",
            ], interruption: limit.Token);
            if (result.ExitCode != 0)
                throw new BuildFailedException($"{arch.QemuSystem} exited with code {result.ExitCode}: {result.Lines.LastOrDefault()}");
        }
        catch (BuildFailedException) when (limit.IsCancellationRequested && !interruption.IsCancellationRequested)
        {
            timedOut = true;
        }
        return new(File.Exists(consoleLog) ? File.ReadAllText(consoleLog) : "", clock.Elapsed, timedOut);
    }
}
