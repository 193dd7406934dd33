using System.Security.Cryptography;

namespace TracerBuild;

public static class Sha256
{
    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Writes a sha256sum-format file (what <c>sha256sum -c</c> reads) over the files, sorted by name; returns its path.</summary>
    public static string WriteSums(string path, IEnumerable<string> files, string? temporaryFolder = null)
    {
        var lines = files
            .OrderBy(Path.GetFileName, StringComparer.Ordinal)
            .Select(f => $"{OfFile(f)}  {Path.GetFileName(f)}\n");
        var bytes = System.Text.Encoding.UTF8.GetBytes(string.Concat(lines));
        AtomicFile.Write(path, stream => stream.Write(bytes), temporaryFolder);
        return path;
    }
}

/// <summary>
/// Writes go to a temporary file and are renamed into place, so readers never see half a file. The temporary file is
/// beside the destination unless a folder is given (on the same file system, for the rename): one where no user looks
/// for results, and which its owner sweeps of what a killed build left.
/// </summary>
public static class AtomicFile
{
    public const string TemporaryMarker = ".tmp-";

    public static void Write(string path, Action<Stream> write, string? temporaryFolder = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (temporaryFolder is not null)
            Directory.CreateDirectory(temporaryFolder);
        var temporary = Path.Combine(temporaryFolder ?? Path.GetDirectoryName(path)!, $"{Path.GetFileName(path)}{TemporaryMarker}{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (var stream = File.Create(temporary))
                write(stream);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public static void Write(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));
}
