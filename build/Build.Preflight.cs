using TracerBuild.Preflight;
using TracerBuild;

partial class Build
{
    Target Preflight => _ => _
        .Description("Installs missing prerequisites: clang, llvm, libbpf, bpftool, the arches' libraries (and what the tests use)")
        // Nothing to check again until dpkg's database changes.
        .Inputs(() => [AbsolutePath.Of("/var/lib/dpkg/status"), AbsolutePath.Of("/var/lib/dpkg/arch")])
        .InputValues(() => [.. Prerequisites.PackagesFor(PrerequisiteArches), .. ExtraPrerequisites])
        .Executes(() =>
        {
            Prerequisites.Ensure(PrerequisiteArches, ExtraPrerequisites);
            // What was installed is what is reported; runtime packs matter only to a self-contained publish.
            var checks = PrerequisiteReport.Check(PrerequisiteArches, SelfContained && IsScheduled(Publish), Which);
            Log.Line(PrerequisiteReport.Table(checks));
            if (checks.Where(c => !c.Ok).ToList() is { Count: > 0 } failing)
                throw new BuildFailedException($"Prerequisites missing: {string.Join(", ", failing.Select(c => c.Name))} (fixes in the table above).");
        });

    /// <summary>The program a name runs, searching PATH and the sbin folders (bpftool lives in /usr/sbin).</summary>
    static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>The tests build and package every arch, so they need every arch's libraries, and qemu to load the foreign ones.</summary>
    IReadOnlyList<Arch> PrerequisiteArches => IsScheduled(Test) ? TracerBuild.Arch.All : Arches;

    // The lists overlap (the foreign arch's cross gcc is in the tests' and in NativeAOT's): each package once.
    IReadOnlyList<string> ExtraPrerequisites =>
    [
        .. new[]
        {
            IsScheduled(Test) ? Prerequisites.TestPackagesFor(PrerequisiteArches, WindowsTests) : [],
            IsScheduled(Test) || IsScheduled(VmTest) ? Prerequisites.VmPackagesFor(PrerequisiteArches) : [],
        }.SelectMany(list => list).Distinct(),
    ];
}
