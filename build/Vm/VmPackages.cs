using TracerBuild.Debian;

namespace TracerBuild.Vm;

/// <summary>The Debian packages one VM is made of: a kernel image and the userland the initramfs needs.</summary>
public sealed record VmPackages(string Kernel, IReadOnlyList<string> Userland)
{
    /// <summary>Enough for a shell, the test's triggers (busybox applets) and a self-contained .NET program.</summary>
    public static readonly string[] UserlandPackages = ["busybox-static", "libc6", "libgcc-s1", "libstdc++6"];

    /// <summary>
    /// Every cell's userland is Debian 12's, whatever its kernel: the matrix varies the kernel. (The C library is a floor
    /// of its own: the tracer is linked against glibc 2.34 and Debian 12's libelf needs 2.33, so Debian 11's 2.31
    /// userland cannot run it, whichever kernel boots.)
    /// </summary>
    public const string UserlandSuite = "bookworm";

    public static VmPackages Ensure(string cacheDirectory, string archiveUri, DebianKernel kernel, Arch arch) => new(
        DebianPackageCache.Ensure(cacheDirectory, archiveUri, kernel.Suite, arch, "kernel", archive => [archive.Dependency(arch.DebianCloudKernel)]).Single(),
        DebianPackageCache.Ensure(cacheDirectory, archiveUri, UserlandSuite, arch, "userland", _ => UserlandPackages));
}
