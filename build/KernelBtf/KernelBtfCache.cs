namespace TracerBuild.KernelBtf;

/// <summary>
/// Full BTFs extracted from Debian kernel packages, one file per arch, package and version, so that a kernel is unpacked
/// once, not on every run. An entry is used only when it hashes to the lock's sha256 (a few ms for 5 MB); another is
/// extracted again. Two builds filling one entry write the same bytes, each through a rename, so no lock is needed.
/// </summary>
public sealed class KernelBtfCache(AbsolutePath root)
{
    public AbsolutePath PathOf(Arch arch, KernelBtfLockEntry entry) => root / "kernel-btf" / arch.DebianArch / $"{entry.Package}_{entry.Version}.btf";

    public static bool Holds(AbsolutePath path, string sha256) => path.FileExists() && Sha256.OfFile(path) == sha256;

    public void Store(AbsolutePath path, byte[] btf)
    {
        try
        {
            AtomicFile.Write(path, btf);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BuildFailedException($"Cannot write to the kernel BTF cache {root}: {e.Message}. Fix that folder or point --cache-dir elsewhere.");
        }
    }
}
