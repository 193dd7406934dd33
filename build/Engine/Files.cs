using System.Security.Cryptography;

namespace Engine;

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
/// What the build checks its own outputs against on every run, warm no-ops included: XxHash128 of the content (25 MB
/// for an x64 Package). It is not cryptographic, and needs not be: whoever can rewrite an output can rewrite the
/// record of it too; it only has to notice a change, and costs less CPU per byte than SHA-256 (measured on the
/// tarball: 3 to 5 ms against 13 to 24 ms, on a loaded machine). Pinned downloads are checked against the lock's
/// SHA-256 (<see cref="Sha256"/>).
/// </summary>
public static class ContentHash
{
    private const int ChunkSize = 1 << 20;

    public static string Of(string text) => Named(System.IO.Hashing.XxHash128.Hash(System.Text.Encoding.UTF8.GetBytes(text)));

    public static string OfFile(string path)
    {
        using var file = File.OpenHandle(path);
        var hash = new System.IO.Hashing.XxHash128();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(file, buffer, offset)) > 0)
            {
                hash.Append(buffer.AsSpan(0, read));
                offset += read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return Named(hash.GetCurrentHash());
    }

    private static string Named(byte[] hash) => "xxh128:" + Convert.ToHexStringLower(hash);
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
