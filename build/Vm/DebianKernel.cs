
namespace TracerBuild.Vm;

/// <summary>The kernel matrix of VmTest: Debian releases and the kernel series each ships, oldest first.</summary>
public sealed record DebianKernel(string Suite, string Series) : ITable<DebianKernel>
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

    public static (string Name, Func<DebianKernel> Row) Keyword => ("stable", () => Stable);

    public static string Parameter => "kernel";

    /// <summary>A <c>--kernel</c> value names a release or its kernel series.</summary>
    public bool Matches(string name) => Suite.Equals(name, StringComparison.OrdinalIgnoreCase) || Series == name;

    public override string ToString() => $"{Suite} {Series}";
}
