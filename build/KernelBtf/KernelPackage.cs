namespace TracerBuild.KernelBtf;

/// <summary>A Debian kernel image package unpacked: its name and version, and the kernel it installs as boot/vmlinuz-&lt;release&gt;.</summary>
public sealed record KernelPackage(string Package, string Version, string Release, AbsolutePath Image)
{
    private const string ImagePrefix = "vmlinuz-";

    public static KernelPackage Unpack(string deb, AbsolutePath folder)
    {
        Programs.Run("dpkg-deb", ["-x", deb, folder], echo: false);
        var fields = Programs.Run("dpkg-deb", ["--showformat=${Package}\t${Version}", "-W", deb], echo: false).StandardOutput.Trim().Split('\t');
        var images = (folder / "boot").GetFiles($"{ImagePrefix}*").ToList();
        return images is [var image] && fields is [var package, var version]
            ? new(package, version, image.Name[ImagePrefix.Length..], image)
            : throw new BuildFailedException($"{deb} is no kernel image package: expected one boot/{ImagePrefix}<release>, found {images.Count}.");
    }
}
