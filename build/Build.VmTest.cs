using System.Collections.Concurrent;
using TracerBuild.Versioning;
using TracerBuild.Vm;
using TracerBuild;

partial class Build
{
    [Parameter("VmTest kernels: a Debian release (bullseye, bookworm, trixie), its kernel series (5.10, 6.1, 6.12), stable or all")]
    readonly TableRows<DebianKernel>[] Kernel = [TableRows<DebianKernel>.Parse("stable", null)];

    /// <summary>The kernels <c>--kernel</c> picks, each once, oldest first.</summary>
    IReadOnlyList<DebianKernel> Kernels => TableRows<DebianKernel>.Union(Kernel);

    /// <summary>A VM that has not powered off by then is stopped and fails: a hang, as a TCG boot with both rounds takes minutes at most.</summary>
    static readonly TimeSpan VmTimeout = TimeSpan.FromMinutes(15);

    Target VmTest => _ => _
        .DependsOn(Package)
        .Description("Boots each arch's tarball on Debian kernels of its arch under qemu; checks every event it reports")
        .Requires(() => TableRows<DebianKernel>.Union(Kernel))
        .Executes(() =>
        {
            var archive = DebianArchiveUri;
            if (Arches.FirstOrDefault(a => !Paths.Tarball(a).FileExists()) is { } missing)
                throw new BuildFailedException($"There is no {Paths.Show(Paths.Tarball(missing))} to boot: run Package for --arch {missing.Name} first (or drop --skip).");
            Paths.VmTestResults.CreateDirectory();
            var rows = new ConcurrentBag<VmTestRow>();
            ForEachArch(arch =>
            {
                UdpPeer.Build(arch, Paths.VmUdpPeerSource, Paths.NativeLibraries(arch), Paths.VmUdpPeer(arch));
                foreach (var kernel in Kernels)
                {
                    var cell = $"{arch.Name}-{kernel.Suite}";
                    var packages = VmPackages.Ensure(Paths.Cache, archive, kernel, arch);
                    var image = VmImage.Assemble(packages, Paths.Tarball(arch), Paths.VmInitScript, Paths.VmUdpPeer(arch), Paths.VmImage(cell));
                    var consoleLog = Paths.VmConsoleLog(cell);
                    Log.Line($"Booting {Path.GetFileName(packages.Kernel)} under {arch.QemuSystem}");
                    var boot = Qemu.Boot(arch, image, consoleLog, VmTimeout, Cancellation);
                    var outcome = VmScenario.Check(boot.Console, $"tracer {ReleaseVersion} {arch.Rid}");
                    if (boot.TimedOut)
                        outcome = outcome with { Failures = [$"stopped after {VmTimeout.TotalMinutes} minutes", .. outcome.Failures] };
                    var row = new VmTestRow(arch, kernel, boot.Elapsed, outcome);
                    rows.Add(row);
                    foreach (var failure in outcome.Failures)
                        Log.Line($"FAIL {cell}: {failure}");
                    Log.Line($"{cell}: {(outcome.Passed ? "passed" : "FAILED")}, {outcome.EventsChecked} events checked, {boot.Elapsed.TotalSeconds:0} s; console in {Paths.Show(consoleLog)}");
                }
            });

            var table = VmTestRow.Table(rows.OrderBy(r => r.Arch.Name, StringComparer.Ordinal).ThenBy(r => r.Kernel.Series, StringComparer.Ordinal));
            Paths.VmSummary.WriteAllText(table + "\n");
            Log.Line(table);
            if (rows.Count(r => !r.Outcome.Passed) is > 0 and var failed)
                throw new BuildFailedException($"VmTest failed on {failed} of {rows.Count} kernels (reasons above; console logs in {Paths.Show(Paths.VmTestResults)}/).");
        });
}

/// <summary>One cell of the VmTest table.</summary>
sealed record VmTestRow(Arch Arch, DebianKernel Kernel, TimeSpan Elapsed, VmOutcome Outcome)
{
    public static string Table(IEnumerable<VmTestRow> rows) => string.Join('\n',
    [
        "| arch | Debian | kernel | glibc | boot to poweroff | events checked | hooks | result |",
        "|---|---|---|---|---|---|---|---|",
        .. rows.Select(r => $"| {r.Arch.Name} | {r.Kernel.Suite} | {r.Outcome.KernelRelease} | {r.Outcome.Glibc} | {r.Elapsed.TotalSeconds:0} s | {r.Outcome.EventsChecked} | {r.Outcome.Hooks} | {(r.Outcome.Passed ? "pass" : $"FAIL ({r.Outcome.Failures.Count})")} |"),
    ]);
}
