namespace TracerBuild.Tests;

/// <summary>Assertions on a tarball as SharpCompress reads it, not as the writer's own library would.</summary>
public static class TarballAssert
{
    /// <summary>One top folder, no absolute paths, no "..", no links, owned by root, 0755 folders and executables, 0644 the rest.</summary>
    public static void IsSane(string tarball, string top, IReadOnlySet<string> executables)
    {
        var entries = TarballReader.Read(tarball);
        foreach (var entry in entries)
        {
            Assert.StartsWith(top + "/", entry.Name);
            Assert.DoesNotContain("..", entry.Name.Split('/'));
            Assert.Null(entry.LinkTarget);
            Assert.Equal((0, 0), (entry.Uid, entry.Gid));
            var relative = entry.Name[(top.Length + 1)..].TrimEnd('/');
            var expectedMode = entry.IsDirectory || executables.Contains(relative)
                ? TarballEntry.Executable
                : TarballEntry.Regular;
            Assert.True(expectedMode == entry.Mode, $"{entry.Name} has mode {entry.Mode}, expected {expectedMode}");
        }
        var names = entries.Select(e => e.Name).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(top + "/", names[0]);
    }
}
