using System.Formats.Tar;
using System.IO.Compression;
using TracerBuild.Package;

namespace TracerBuild.Vm;

/// <summary>What qemu boots: a kernel image and an initramfs of the userland packages, the tarball and init.sh.</summary>
public sealed record VmImage(string Kernel, string Initramfs)
{
    /// <summary>A module every Debian kernel of the matrix builds as one, with no dependencies and no hardware.</summary>
    public const string TestModule = "dummy";

    /// <summary>Where init.sh finds <see cref="UdpPeer"/>.</summary>
    public const string UdpPeerPath = "/opt/udppeer";

    /// <summary>Unpacks the packages and the tarball into <paramref name="workDirectory"/> and writes the image there.</summary>
    public static VmImage Assemble(VmPackages packages, string tarball, string initScript, string udpPeer, string workDirectory)
    {
        if (!OperatingSystem.IsLinux())
            throw new Engine.BuildFailedException("A VM image is assembled on Linux: it needs dpkg-deb and Unix file modes.");
        if (Directory.Exists(workDirectory))
            Directory.Delete(workDirectory, recursive: true);
        var root = Directory.CreateDirectory(Path.Combine(workDirectory, "root")).FullName;
        foreach (var deb in packages.Userland)
            Programs.Run("dpkg-deb", ["-x", deb, root], echo: false);
        MergeUsr(root);

        var opt = Directory.CreateDirectory(Path.Combine(root, "opt")).FullName;
        using (var file = File.OpenRead(tarball))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            TarFile.ExtractToDirectory(gzip, opt, overwriteFiles: false);
        File.Copy(initScript, Path.Combine(root, "init"));
        File.SetUnixFileMode(Path.Combine(root, "init"), TarballEntry.Executable);
        File.Copy(udpPeer, root + UdpPeerPath);
        File.SetUnixFileMode(root + UdpPeerPath, TarballEntry.Executable);

        var kernelFiles = Directory.CreateDirectory(Path.Combine(workDirectory, "kernel")).FullName;
        Programs.Run("dpkg-deb", ["-x", packages.Kernel, kernelFiles], echo: false);
        // The module init.sh loads and unloads, as the kernel's package has it (compressed by newer releases).
        var module = Directory.GetFiles(kernelFiles, $"{TestModule}.ko*", SearchOption.AllDirectories).Single();
        var modules = Directory.CreateDirectory(Path.Combine(root, "opt", "modules")).FullName;
        File.Copy(module, Path.Combine(modules, Path.GetFileName(module)));

        var initramfs = Path.Combine(workDirectory, "initramfs.cpio");
        Vm.Initramfs.Write(root, initramfs);
        return new(Directory.GetFiles(Path.Combine(kernelFiles, "boot"), "vmlinuz-*").Single(), initramfs);
    }

    /// <summary>
    /// Newer Debian releases ship /bin, /sbin, /lib* inside /usr and leave the top-level links to base-files, which the
    /// initramfs does not hold; the ELF interpreter (/lib64/ld-linux-x86-64.so.2, /lib/ld-linux-aarch64.so.1) needs them.
    /// </summary>
    private static void MergeUsr(string root)
    {
        foreach (var folder in new[] { "bin", "sbin", "lib", "lib64" })
        {
            if (Directory.Exists(Path.Combine(root, "usr", folder)) && !Path.Exists(Path.Combine(root, folder)))
                File.CreateSymbolicLink(Path.Combine(root, folder), $"usr/{folder}");
        }
    }
}
