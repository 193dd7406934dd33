namespace TracerBuild.Publish;

/// <summary>
/// Runs the dotnet CLI so that it leaves nothing behind: <c>--disable-build-servers</c> keeps the compiler server
/// (VBCSCompiler) and MSBuild's reusable nodes from outliving the command, and its temporary files go to a folder of its
/// own under <c>artifacts/obj/tmp</c>, deleted afterwards (measured: each <c>dotnet build</c> or <c>publish</c> leaves two
/// empty folders in $TMPDIR, and restore NuGet's scratch folder).
/// </summary>
public static class DotNetCli
{
    public static ProcessResult Run(string objDirectory, IEnumerable<string> arguments) =>
        InOwnTemp(objDirectory, environment => Programs.Run("dotnet", [.. arguments, "--disable-build-servers"], environment: environment));

    public static ProcessResult TryRun(string objDirectory, IEnumerable<string> arguments, bool echo) =>
        InOwnTemp(objDirectory, environment => Programs.TryRun("dotnet", [.. arguments, "--disable-build-servers"], environment: environment, echo: echo));

    private static ProcessResult InOwnTemp(string objDirectory, Func<IReadOnlyDictionary<string, string>, ProcessResult> run)
    {
        // One folder per command: arches publish in parallel.
        var temp = Directory.CreateDirectory(Path.Combine(objDirectory, "tmp", Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            return run(new Dictionary<string, string> { ["TMPDIR"] = temp });
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
