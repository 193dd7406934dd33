using System.Text;

namespace TracerBuild.Vm;

/// <summary>
/// Writes a folder as an initramfs: an uncompressed cpio archive in the "newc" format the kernel unpacks
/// (Documentation/driver-api/early-userspace/buffer-format.rst). Uncompressed, since unpacking is then a copy,
/// which matters under TCG; owners root, times zero, entries sorted.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class Initramfs
{
    private const int Directory = 0x4000, RegularFile = 0x8000, SymbolicLink = 0xA000;

    public static void Write(string root, string path)
    {
        AtomicFile.Write(path, stream =>
        {
            var inode = 1;
            var entries = new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
                .OrderBy(e => Path.GetRelativePath(root, e.FullName), StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                var name = Path.GetRelativePath(root, entry.FullName);
                var permissions = (int)entry.UnixFileMode;
                if (entry.LinkTarget is { } target)
                    WriteEntry(stream, inode++, name, SymbolicLink | 0x1FF, Encoding.UTF8.GetBytes(target));
                else if (entry is DirectoryInfo)
                    WriteEntry(stream, inode++, name, Directory | permissions, []);
                else
                    WriteEntry(stream, inode++, name, RegularFile | permissions, File.ReadAllBytes(entry.FullName));
            }
            WriteEntry(stream, 0, "TRAILER!!!", 0, []);
        });
    }

    private static void WriteEntry(Stream stream, int inode, string name, int mode, byte[] data)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
        int[] fields = [inode, mode, 0, 0, (mode & 0xF000) == Directory ? 2 : 1, 0, data.Length, 0, 0, 0, 0, nameBytes.Length, 0];
        var header = "070701" + string.Concat(fields.Select(f => f.ToString("x8")));
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(nameBytes);
        Pad(stream, header.Length + nameBytes.Length);
        stream.Write(data);
        Pad(stream, data.Length);
    }

    private static void Pad(Stream stream, int length)
    {
        for (var i = length; i % 4 != 0; i++)
            stream.WriteByte(0);
    }
}
