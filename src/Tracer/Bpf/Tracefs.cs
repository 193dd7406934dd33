using System.Runtime.InteropServices;

namespace Tracer.Bpf;

/// <summary>tracefs, where libbpf reads a tracepoint's id to attach a SEC("tracepoint/...") program.</summary>
internal static partial class Tracefs
{
    private const string Mounted = "/sys/kernel/tracing";

    /// <summary>Where libbpf looks first for a tracepoint's id (it uses tracefs only when this is missing).</summary>
    private const string DebugfsTracing = "/sys/kernel/debug/tracing";

    /// <summary>Why a tracepoint (such as <c>syscalls/sys_exit_openat</c>) cannot be attached, or null when it can.</summary>
    public static string? EventMissing(string tracepoint)
    {
        var id = Path.Combine(Directory.Exists(DebugfsTracing) ? DebugfsTracing : Mounted, "events", tracepoint, "id");
        return File.Exists(id) ? null : $"{id} is missing";
    }

    /// <summary>
    /// Mounts tracefs where neither it nor debugfs's tracing folder is. Disposing unmounts what was mounted, so the
    /// tracer leaves the mounts as it found them.
    /// </summary>
    public static IDisposable? MountForAttach()
    {
        if (Directory.Exists(DebugfsTracing) || Directory.Exists(Path.Combine(Mounted, "events")))
            return null;
        return Mount("tracefs", Mounted, "tracefs", 0, 0) == 0 ? new Unmount() : null;
    }

    private sealed class Unmount : IDisposable
    {
        public void Dispose() => Umount2(Mounted, MntDetach);
    }

    private const int MntDetach = 2;

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mount(string source, string target, string type, nuint flags, nint data);

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2(string target, int flags);
}
