namespace Tracer.Bpf;

/// <summary>How connect events are caught: kprobes on inet_stream_connect, or the sys_exit tracepoint where a kernel has no kprobes.</summary>
internal enum ConnectHook
{
    Kprobe,
    Tracepoint,
}

internal static class ConnectHooks
{
    /// <summary>The proto_ops connect of inet and inet6 stream sockets, the function bpf/tracer.bpf.c probes.</summary>
    public const string KprobeFunction = "inet_stream_connect";

    /// <summary>libbpf attaches kprobes through this PMU; kernels without CONFIG_KPROBES lack it.</summary>
    private const string KprobePmu = "/sys/bus/event_source/devices/kprobe";

    private const string Kallsyms = "/proc/kallsyms";

    /// <summary>TRACER_CONNECT_HOOK=kprobe or =tracepoint forces one, so both can be tested on a kernel that has kprobes.</summary>
    public static readonly HookSet<ConnectHook> Set = new("connect", "TRACER_CONNECT_HOOK",
        new(ConnectHook.Kprobe, "kprobe", $"on {KprobeFunction}", KprobeUnavailable),
        new(ConnectHook.Tracepoint, "tracepoint", "on sys_exit", () => null));

    private static string? KprobeUnavailable()
    {
        if (!Directory.Exists(KprobePmu))
            return $"this kernel has no kprobes, {KprobePmu} is missing";
        // Lines are "address type name[\t[module]]"; a name is listed even where kptr_restrict hides addresses.
        var suffix = " " + KprobeFunction;
        try
        {
            return File.ReadLines(Kallsyms).Any(line => line.EndsWith(suffix, StringComparison.Ordinal))
                ? null
                : $"{KprobeFunction} is not in {Kallsyms}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{Kallsyms} cannot be read ({e.Message})";
        }
    }
}
