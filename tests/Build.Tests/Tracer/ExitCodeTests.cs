using System.Text.RegularExpressions;

namespace TracerBuild.Tests;

/// <summary>
/// The tracer's exit codes are one enum (src/Tracer/ExitCode.cs), and both READMEs document exactly those: the
/// developers' (README.md) and the users' inside every tarball (docs/USER-README.md).
/// </summary>
public sealed partial class ExitCodeTests
{
    [Theory]
    [InlineData("README.md", "### doctor and exit codes")]
    [InlineData("docs/USER-README.md", "## Exit codes")]
    public void A_readme_s_exit_code_table_lists_every_code_the_tracer_returns_and_no_other(string readme, string section)
    {
        var documented = Codes(File.ReadAllText(Path.Combine(Repository.Root, readme)), section);
        var returned = Enum.GetValues<Tracer.ExitCode>().Select(c => (int)c).ToList();

        Assert.Empty(returned.Except(documented)); // codes the tracer returns that the table lacks
        Assert.Empty(documented.Except(returned)); // rows for codes the tracer never returns
        Assert.Equal(documented.Distinct().Count(), documented.Count);
    }

    /// <summary>The codes of the first table after <paramref name="section"/>'s heading: the first cell of each row.</summary>
    private static List<int> Codes(string markdown, string section)
    {
        var start = markdown.IndexOf($"\n{section}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section '{section}'");
        var rows = markdown[start..].Split('\n').SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Skip(2).ToList();
        Assert.NotEmpty(rows);
        return [.. rows.Select(row => int.Parse(Row().Match(row).Groups[1].Value))];
    }

    [GeneratedRegex(@"^\| (\d+) \|")]
    private static partial Regex Row();
}
