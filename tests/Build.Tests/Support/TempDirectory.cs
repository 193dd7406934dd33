namespace TracerBuild.Tests;

/// <summary>A folder deleted when the test ends.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("tracer-tests-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
