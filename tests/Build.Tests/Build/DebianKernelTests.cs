using TracerBuild.Vm;

namespace TracerBuild.Tests;

/// <summary>--kernel picks rows of the VM matrix by release name or kernel series, oldest first.</summary>
public sealed class DebianKernelTests
{
    [Fact]
    public void Names_and_series_select_distinct_kernels_oldest_first()
    {
        Assert.Equal(["bullseye", "trixie"], DebianKernel.Parse(["6.12", "BULLSEYE", "trixie"]).Select(k => k.Suite));
        Assert.Equal(DebianKernel.All, DebianKernel.Parse(["all"]));
        Assert.Equal([DebianKernel.Stable], DebianKernel.Parse(["stable"]));
    }

    [Theory]
    [InlineData(new[] { "buster" }, "Unknown kernel 'buster'. Accepted: ")]
    [InlineData(new string[0], "--kernel needs a value. Accepted: ")]
    public void Anything_else_is_one_line_naming_what_is_accepted(string[] names, string start)
    {
        var error = Assert.Throws<BuildInputException>(() => DebianKernel.Parse(names));

        Assert.StartsWith(start, error.Message);
        Assert.Contains("bookworm", error.Message);
    }
}
