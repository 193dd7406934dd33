using TracerBuild.Debian;

namespace TracerBuild.Vm;

/// <summary>
/// The Debian packages one VM is made of: a release's kernel image and the userland of that same release (its C library
/// among them), as a machine running that release has.
/// </summary>
public sealed record VmPackages(string Kernel, IReadOnlyList<string> Userland)
{
    /// <summary>
    /// Enough for a shell, the test's triggers (busybox applets), a self-contained .NET program, and setcap (libcap2-bin)
    /// for the round run as an unprivileged user.
    /// </summary>
    public static readonly string[] UserlandPackages = ["busybox-static", "libc6", "libgcc-s1", "libstdc++6", "libcap2", "libcap2-bin"];

    public static VmPackages Ensure(string cacheDirectory, string archiveUri, DebianKernel kernel, Arch arch) => new(
        KernelPackage(cacheDirectory, archiveUri, kernel, arch),
        DebianPackageCache.Ensure(cacheDirectory, archiveUri, kernel.Suite, arch, "userland", UserlandPackages));

    /// <summary>The release's cloud kernel image package (the metapackage's versioned dependency); KernelBtf reads its BTF.</summary>
    public static string KernelPackage(string cacheDirectory, string archiveUri, DebianKernel kernel, Arch arch) =>
        DebianPackageCache.Ensure(cacheDirectory, archiveUri, kernel.Suite, arch, "kernel", [arch.DebianCloudKernel],
            archive => [archive.Dependency(arch.DebianCloudKernel)]).Single();
}
