namespace TracerBuild.Tests;

/// <summary>
/// A scratch clone of the working tree tagged v1.2.3, with a fake tarball and SBOM per arch (random bytes under the
/// real names: Release only uploads them, and building real ones is covered by the main-job tests).
/// </summary>
public sealed class TaggedScratchClone : IDisposable
{
    private readonly TempDirectory _folder = new();

    public TaggedScratchClone()
    {
        Root = Path.Combine(_folder.Path, "tracer");
        var files = Programs.Run("git", ["-C", Repository.Root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], echo: false)
            .Output.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Where(f => File.Exists(Path.Combine(Repository.Root, f)));
        foreach (var file in files)
        {
            var to = Path.Combine(Root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(Path.Combine(Repository.Root, file), to);
        }
        Git("init", "-q");
        Git("add", "-A");
        Git("-c", "user.name=tests", "-c", "user.email=tests@localhost", "commit", "-q", "-m", "scratch");
        Git("tag", "v1.2.3");

        Directory.CreateDirectory(Path.Combine(Root, "artifacts"));
        File.WriteAllBytes(Tarball("x64"), RandomBytes(40_000));
        File.WriteAllBytes(Tarball("arm64"), RandomBytes(30_000));
        foreach (var arch in Arch.All)
            File.WriteAllBytes(Path.Combine(Root, "artifacts", arch.SbomFileName("1.2.3")), RandomBytes(2_000));
    }

    public string Root { get; }

    public string Tarball(string arch) => Path.Combine(Root, "artifacts", $"tracer-1.2.3-linux-{arch}.tar.gz");

    public ProcessResult BuildScript(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Programs.TryRun("bash", [Path.Combine(Root, "build.sh"), .. arguments], workingDirectory: Root, environment: environment);

    private void Git(params string[] arguments) => Programs.Run("git", ["-C", Root, .. arguments], echo: false);

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    public void Dispose() => _folder.Dispose();
}
