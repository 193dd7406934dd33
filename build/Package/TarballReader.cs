using SharpCompress.Common.Tar;
using SharpCompress.Readers;

namespace TracerBuild.Package;

/// <summary>An entry as read back from a tarball: folders end in <c>/</c>; <see cref="LinkTarget"/> is set for links.</summary>
public sealed record ReadEntry(string Name, bool IsDirectory, long Size, UnixFileMode Mode, long Uid, long Gid, DateTime? Modified, string? LinkTarget);

/// <summary>
/// Reads tarballs back with a reader independent of the one that wrote them (SharpCompress, not System.Formats.Tar),
/// so a writer bug cannot hide behind the same code reading its own output.
/// </summary>
public static class TarballReader
{
    public static IReadOnlyList<ReadEntry> Read(string tarball)
    {
        using var reader = ReaderFactory.OpenReader(tarball, new ReaderOptions());
        var entries = new List<ReadEntry>();
        while (reader.MoveToNextEntry())
        {
            var entry = reader.Entry;
            var tar = entry as TarEntry;
            // Permission bits only: SharpCompress reports every folder's mode with 01000 added (the header says 0755).
            entries.Add(new ReadEntry(entry.Key ?? "", entry.IsDirectory, entry.Size, (UnixFileMode)(tar?.Mode ?? 0) & (UnixFileMode)0b111_111_111,
                tar?.UserID ?? -1, tar?.GroupId ?? -1, entry.LastModifiedTime, string.IsNullOrEmpty(entry.LinkTarget) ? null : entry.LinkTarget));
        }
        return entries;
    }

    /// <summary>
    /// Fails in one line unless the tarball holds exactly <paramref name="expected"/> under one top folder: no absolute
    /// path, no <c>..</c>, no link leading out of the top folder, every file as large as its source, modes as given.
    /// </summary>
    public static void Verify(string tarball, IReadOnlyList<TarballEntry> expected)
    {
        var name = Path.GetFileName(tarball);
        var read = Read(tarball);
        void Fail(string problem) => throw new BuildFailedException($"{name} read back wrong: {problem}.");

        var tops = read.Select(e => e.Name.TrimStart('/').Split('/')[0]).Distinct().ToList();
        if (tops.Count != 1)
            Fail($"{tops.Count} top-level entries ({string.Join(", ", tops.Take(5))}), expected one folder");
        var top = tops[0];
        foreach (var entry in read)
        {
            var segments = entry.Name.TrimEnd('/').Split('/');
            if (entry.Name.StartsWith('/'))
                Fail($"{entry.Name} is an absolute path");
            if (segments.Contains(".."))
                Fail($"{entry.Name} contains '..'");
            if (entry.LinkTarget is { } target && LeavesFolder(segments[..^1], target, top))
                Fail($"{entry.Name} links to {target}, outside {top}/");
        }

        var byName = read.ToDictionary(e => e.Name.TrimEnd('/'), StringComparer.Ordinal);
        var missing = expected.Select(e => e.Name).Where(n => !byName.ContainsKey(n)).ToList();
        if (missing.Count > 0)
            Fail($"missing {string.Join(", ", missing)}");
        var extra = byName.Keys.Except(expected.Select(e => e.Name), StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
            Fail($"unexpected {string.Join(", ", extra)}");
        foreach (var want in expected)
        {
            var got = byName[want.Name];
            if (got.IsDirectory != (want.SourcePath is null))
                Fail($"{want.Name} is {(got.IsDirectory ? "a folder" : "a file")}, expected {(want.SourcePath is null ? "a folder" : "a file")}");
            if (want.SourcePath is { } source && got.Size != SizeOf(source))
                Fail($"{want.Name} has {got.Size:N0} bytes, its source {source} {SizeOf(source):N0}");
            if (got.Mode != want.Mode)
                Fail($"{want.Name} has mode {Convert.ToString((int)got.Mode, 8)}, expected {Convert.ToString((int)want.Mode, 8)}");
        }
    }

    /// <summary>The size of what a path holds: libz.so.1 and the like are links, and the tarball holds their target's bytes.</summary>
    private static long SizeOf(string path) =>
        ((File.ResolveLinkTarget(path, returnFinalTarget: true) as FileInfo) ?? new FileInfo(path)).Length;

    /// <summary>Whether a link in <paramref name="folder"/> to <paramref name="target"/> resolves outside the top folder.</summary>
    private static bool LeavesFolder(string[] folder, string target, string top)
    {
        if (target.StartsWith('/'))
            return true;
        var path = new List<string>(folder);
        foreach (var segment in target.Split('/'))
        {
            if (segment == "..")
            {
                if (path.Count == 0)
                    return true;
                path.RemoveAt(path.Count - 1);
            }
            else if (segment is not ("" or "."))
            {
                path.Add(segment);
            }
        }
        return path.Count == 0 || path[0] != top;
    }
}
