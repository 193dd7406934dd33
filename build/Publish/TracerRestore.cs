using System.Text.RegularExpressions;

namespace TracerBuild.Publish;

/// <summary>
/// Restores the tracer for one arch, once, before anything compiles; a self-contained restore is also how we
/// learn whether the NuGet feed has that arch's runtime packs.
/// </summary>
public static partial class TracerRestore
{
    public static void Run(string project, TracerPublishSettings settings, TemporaryFolders temporary)
    {
        var result = DotNetCli.TryRun(temporary, ["restore", project, "-nologo", .. settings.MsBuildArguments], echo: true);
        if (result.ExitCode == 0)
            return;

        var missing = MissingPackage().Matches(result.Output).Select(m => m.Groups[1].Value.TrimEnd('.')).Distinct().Order().ToList();
        if (settings.SelfContained && missing.Count > 0)
        {
            throw new BuildFailedException(
                $"A self-contained {settings.Arch.Rid} tracer needs packs this machine's NuGet feed lacks: {string.Join(", ", missing)}. " +
                "Add a NuGet source that has them (nuget.config), or build framework-dependent with --self-contained false.");
        }
        var error = result.Lines.FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? result.Lines.LastOrDefault();
        throw new BuildFailedException($"dotnet restore for {settings.Arch.Rid} failed: {error?.Trim()}");
    }

    [GeneratedRegex(@"NU1101: Unable to find package ([\w.\-]+)")]
    private static partial Regex MissingPackage();
}
