using System.IO.Compression;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Tracer.Bpf;

/// <summary>
/// The minimized BTF the tracer carries for kernels built without it (the build's KernelBtf target, one per kernel
/// bpf/btf.lock.json pins for this arch), gzipped, as resources named btf/&lt;uname -r&gt;.btf.gz.
/// </summary>
internal static partial class CarriedBtf
{
    private const string Prefix = "btf/", Suffix = ".btf.gz";

    /// <summary>The kernel releases carried, in order.</summary>
    public static IReadOnlyList<string> Releases { get; } =
        [.. Assembly.GetExecutingAssembly().GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(Suffix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..^Suffix.Length])
            .Order(StringComparer.Ordinal)];

    /// <summary>The BTF carried for a kernel release, null when there is none.</summary>
    public static byte[]? Find(string release)
    {
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream(Prefix + release + Suffix);
        if (resource is null)
            return null;
        using var gzip = new GZipStream(resource, CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return bytes.ToArray();
    }

    /// <summary>
    /// A path libbpf can open that reads these bytes: an anonymous memory file (memfd), left open for the process's life,
    /// so nothing is written to disk and nothing is left behind.
    /// </summary>
    public static string InMemoryFile(string name, byte[] bytes)
    {
        var fd = MemfdCreate(name, MfdCloexec);
        if (fd < 0)
            throw new TracerException($"could not hand libbpf the carried BTF: memfd_create failed ({Marshal.GetLastSystemError()})");
        using (var file = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false), FileAccess.Write))
            file.Write(bytes);
        return $"/proc/self/fd/{fd}";
    }

    private const uint MfdCloexec = 1;

    [LibraryImport("libc", EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MemfdCreate(string name, uint flags);
}
