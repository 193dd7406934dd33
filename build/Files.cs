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
    public static string WriteSums(string path, IEnumerable<string> files)
    {
        var lines = files
            .OrderBy(Path.GetFileName, StringComparer.Ordinal)
            .Select(f => $"{OfFile(f)}  {Path.GetFileName(f)}\n");
        AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(string.Concat(lines)));
        return path;
    }
}

/// <summary>Writes go to a temporary file beside the destination and are renamed into place, so readers never see half a file.</summary>
public static class AtomicFile
{
    public const string TemporaryMarker = ".tmp-";

    public static void Write(string path, Action<Stream> write)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}{TemporaryMarker}{Environment.ProcessId}-{Guid.NewGuid():N}";
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
