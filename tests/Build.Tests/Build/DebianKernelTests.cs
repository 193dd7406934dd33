using TracerBuild.Vm;

namespace TracerBuild.Tests;

/// <summary>--kernel picks rows of the VM matrix by release name or kernel series, oldest first.</summary>
public sealed class DebianKernelTests
{
    [Fact]
    public void Names_and_series_select_distinct_kernels_oldest_first()
    {
        Assert.Equal(["bullseye", "trixie"], Parse("6.12", "BULLSEYE", "trixie").Select(k => k.Suite));
        Assert.Equal(DebianKernel.All, Parse("all"));
        Assert.Equal([DebianKernel.Stable], Parse("stable"));
    }

    [Theory]
    [InlineData(new[] { "buster" }, "Unknown kernel 'buster'. Accepted: ")]
    [InlineData(new string[0], "--kernel needs a value. Accepted: ")]
    public void Anything_else_is_one_line_naming_what_is_accepted(string[] names, string start)
    {
        // An unknown value is refused by the type (the engine makes it the error line), a missing one by the union.
        var error = Record.Exception(() => Parse(names));

        Assert.True(error is BuildInputException or FormatException, error?.ToString());
        Assert.StartsWith(start, error!.Message);
        Assert.Contains("bookworm", error.Message);
    }

    /// <summary>The kernels --kernel picks with these values, as the engine binds them.</summary>
    private static IReadOnlyList<DebianKernel> Parse(params string[] values) =>
        TableRows<DebianKernel>.Union([.. values.Select(v => TableRows<DebianKernel>.Parse(v, null))]);
}
