
namespace TracerBuild.Vm;

/// <summary>The kernel matrix of VmTest: Debian releases and the kernel series each ships, oldest first.</summary>
public sealed record DebianKernel(string Suite, string Series)
{
    public static IReadOnlyList<DebianKernel> All { get; } =
    [
        new("bullseye", "5.10"),
        new("bookworm", "6.1"),
        new("trixie", "6.12"),
    ];

    /// <summary>Debian's stable release (trixie since August 2025), the default of <c>--kernel</c>.</summary>
    public static DebianKernel Stable => All.Single(k => k.Suite == "trixie");

    public static string Accepted => $"{string.Join(", ", All.Select(k => $"{k.Suite} ({k.Series})"))}, stable, all";

    /// <summary>Parses <c>--kernel</c> values: a release name, a kernel series, <c>stable</c> or <c>all</c>; oldest first.</summary>
    public static IReadOnlyList<DebianKernel> Parse(IEnumerable<string> names) =>
        TableSelection.Parse(names, "--kernel", All, ("stable", Stable),
            (kernel, name) => kernel.Suite.Equals(name, StringComparison.OrdinalIgnoreCase) || kernel.Series == name, Accepted);

    public override string ToString() => $"{Suite} {Series}";
}
