using TracerBuild;
using TracerBuild.Engine;

partial class Build
{
    Target Preflight => _ => _
        .Description("Installs missing prerequisites: clang, llvm, libbpf, bpftool, the arches' libraries (and what the tests use)")
        // Nothing to check again until dpkg's database changes.
        .Inputs(() => ["/var/lib/dpkg/status", "/var/lib/dpkg/arch"])
        .InputValues(() => [.. Prerequisites.PackagesFor(PrerequisiteArches), .. ExtraPrerequisites])
        .Executes(() => Prerequisites.Ensure(PrerequisiteArches, ExtraPrerequisites, EnvironmentVariables));

    /// <summary>The tests build and package every arch, so they need every arch's libraries, and qemu to load the foreign ones.</summary>
    IReadOnlyList<Arch> PrerequisiteArches => IsScheduled(Test) ? TracerBuild.Arch.All : Arches;

    IReadOnlyList<string> ExtraPrerequisites => IsScheduled(Test) ? Prerequisites.TestPackagesFor(PrerequisiteArches) : [];
}
