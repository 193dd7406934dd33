using System.Formats.Tar;
using System.IO.Compression;

namespace TracerBuild.Tests;

public static class TarballAssert
{
    /// <summary>One top folder, no absolute paths, no "..", no links, owned by root, 0755 folders and executables, 0644 the rest.</summary>
    public static void IsSane(string tarball, string top, IReadOnlySet<string> executables)
    {
        using var reader = new TarReader(new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress));
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
            Assert.StartsWith(top + "/", entry.Name);
            Assert.DoesNotContain("..", entry.Name.Split('/'));
            Assert.Contains(entry.EntryType, new[] { TarEntryType.Directory, TarEntryType.RegularFile });
            Assert.Equal((0, 0, "root", "root"), (entry.Uid, entry.Gid, ((GnuTarEntry)entry).UserName, ((GnuTarEntry)entry).GroupName));
            var relative = entry.Name[(top.Length + 1)..].TrimEnd('/');
            var expectedMode = entry.EntryType == TarEntryType.Directory || executables.Contains(relative)
                ? TarballEntry.Executable
                : TarballEntry.Regular;
            Assert.True(expectedMode == entry.Mode, $"{entry.Name} has mode {entry.Mode}, expected {expectedMode}");
        }
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(top + "/", names[0]);
    }
}
