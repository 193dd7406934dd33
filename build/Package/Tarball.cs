using System.Formats.Tar;
using System.IO.Compression;

namespace TracerBuild.Package;

/// <summary>A file or folder to put in a tarball; <see cref="SourcePath"/> is null for folders.</summary>
public sealed record TarballEntry(string Name, string? SourcePath, UnixFileMode Mode)
{
    public const UnixFileMode Executable = (UnixFileMode)0b111_101_101;
    public const UnixFileMode Regular = (UnixFileMode)0b110_100_100;

    public static TarballEntry Folder(string name) => new(name, null, Executable);
}

/// <summary>
/// Reproducible .tar.gz: GNU format (the PAX writer embeds the process id), entries sorted ordinally,
/// owner root 0:0, one fixed mtime; written atomically.
/// </summary>
public static class Tarball
{
    public static void Write(string path, IEnumerable<TarballEntry> entries, DateTimeOffset mtime, string? temporaryFolder = null)
    {
        AtomicFile.Write(path, file =>
        {
            using var gzip = new GZipStream(file, CompressionLevel.SmallestSize, leaveOpen: true);
            using var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true);
            foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var isFolder = entry.SourcePath is null;
                var tarEntry = new GnuTarEntry(isFolder ? TarEntryType.Directory : TarEntryType.RegularFile, isFolder ? entry.Name + "/" : entry.Name)
                {
                    Mode = entry.Mode,
                    Uid = 0,
                    Gid = 0,
                    UserName = "root",
                    GroupName = "root",
                    // No atime/ctime: GNU tar leaves them empty, and readers that take the field for ustar's name
                    // prefix (SharpCompress) read "<atime> <ctime>/top/..." when they are set.
                    ModificationTime = mtime,
                };
                using var data = isFolder ? null : File.OpenRead(entry.SourcePath!);
                if (data is not null)
                    tarEntry.DataStream = data;
                tar.WriteEntry(tarEntry);
            }
        }, temporaryFolder);
    }
}
