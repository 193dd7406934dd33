namespace TracerBuild.Tests;

/// <summary>Installs the workflow linters pinned in tests/WorkflowLint/package-lock.json (npm ci), once for the class.</summary>
public sealed class WorkflowLinters
{
    public static readonly string Folder = Path.Combine(Repository.Root, "tests", "WorkflowLint");

    public WorkflowLinters()
    {
        if (OnPath("npm") is null)
            return;
        Installed = Programs.TryRun("npm", ["ci", "--no-audit", "--no-fund"], workingDirectory: Folder);
    }

    /// <summary>The result of <c>npm ci</c>; null where npm is not installed.</summary>
    public ProcessResult? Installed { get; }

    public static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
