namespace TracerBuild.Publish;

/// <summary>
/// Runs the dotnet CLI so that it leaves nothing behind: <c>--disable-build-servers</c> keeps the compiler server
/// (VBCSCompiler) and MSBuild's reusable nodes from outliving the command, and its temporary files go to a folder of its
/// own (<see cref="TemporaryFolders"/>), deleted afterwards (measured: each <c>dotnet build</c> or <c>publish</c> leaves
/// two empty folders in $TMPDIR, and restore NuGet's scratch folder).
/// </summary>
public static class DotNetCli
{
    public static ProcessResult Run(TemporaryFolders temporary, IEnumerable<string> arguments) =>
        InOwnTemp(temporary, environment => Programs.Run("dotnet", [.. arguments, "--disable-build-servers"], environment: environment));

    public static ProcessResult TryRun(TemporaryFolders temporary, IEnumerable<string> arguments, bool echo) =>
        InOwnTemp(temporary, environment => Programs.TryRun("dotnet", [.. arguments, "--disable-build-servers"], environment: environment, echo: echo));

    /// <summary>One folder per command: arches publish in parallel.</summary>
    private static ProcessResult InOwnTemp(TemporaryFolders temporary, Func<IReadOnlyDictionary<string, string>, ProcessResult> run)
    {
        using var folder = temporary.Create("dotnet");
        return run(new Dictionary<string, string> { ["TMPDIR"] = folder.Path });
    }
}
