using TracerBuild.Vm;

namespace TracerBuild.KernelBtf;

/// <summary>
/// Gets a kernel's full BTF: pinned (cached, else extracted and checked against the lock) or, for updating, whatever the
/// kernel package VmTest boots holds.
/// </summary>
/// <param name="kernelPackage">The .deb of a release's kernel for an arch, downloaded when the cache lacks it.</param>
public sealed class KernelBtfProvider(KernelBtfCache cache, Func<DebianKernel, Arch, string> kernelPackage)
{
    /// <summary>The cached full BTF of the pinned kernel; the package is unpacked only when the cache lacks a good copy.</summary>
    public AbsolutePath GetPinned(Arch arch, DebianKernel kernel, KernelBtfLockEntry pinned, AbsolutePath work)
    {
        var path = cache.PathOf(arch, pinned);
        if (KernelBtfCache.Holds(path, pinned.Sha256))
            return path;
        if (path.FileExists())
            Log.Warning($"{path} does not hash to the lock's sha256 {pinned.Sha256}; extracting it again");
        var (found, btf) = Extract(arch, kernel, work);
        if (pinned.Mismatch(found) is { } mismatch)
            throw new BuildFailedException($"{arch.Name} {kernel.Suite}: {mismatch}. {KernelBtfLock.Remedy}");
        cache.Store(path, btf);
        return path;
    }

    /// <summary>Unpinned: the kernel in the package VmTest boots, and its full BTF.</summary>
    public (KernelBtfLockEntry Entry, byte[] Btf) Extract(Arch arch, DebianKernel kernel, AbsolutePath work)
    {
        var deb = kernelPackage(kernel, arch);
        // A kernel unpacked and decompressed takes about 100 MB: each goes once its BTF is out.
        var folder = work / $"{arch.Name}-{kernel.Suite}";
        try
        {
            var package = KernelPackage.Unpack(deb, folder.CreateDirectory());
            var btf = KernelImage.Btf(package.Image, folder);
            Log.Line($"{arch.Name} {kernel.Suite}: {btf.Length:N0} bytes of BTF in {package.Image.Name} of {Path.GetFileName(deb)}");
            return (new KernelBtfLockEntry(package.Release, package.Package, package.Version, Sha256.Of(btf)), btf);
        }
        finally
        {
            folder.DeleteDirectory();
        }
    }
}
