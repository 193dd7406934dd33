namespace Tracer;

/// <summary>How connect events are caught: kprobes on inet_stream_connect, or the sys_exit tracepoint where a kernel has no kprobes.</summary>
internal enum ConnectPath
{
    Kprobe,
    Tracepoint,
}

/// <summary>
/// The path chosen, and why; <see cref="Forced"/> when TRACER_CONNECT_PATH asked for it (no fallback then),
/// <see cref="FellBack"/> when the kprobe path was chosen but failed to load or attach.
/// </summary>
internal sealed record ConnectPathChoice(ConnectPath Path, bool Forced, string Reason, bool FellBack = false);

internal static class ConnectPaths
{
    /// <summary>Forces a path (kprobe or tracepoint), so both can be tested on a kernel that has kprobes.</summary>
    public const string Variable = "TRACER_CONNECT_PATH";

    /// <summary>The proto_ops connect of inet and inet6 stream sockets, the function bpf/tracer.bpf.c probes.</summary>
    public const string KprobeFunction = "inet_stream_connect";

    /// <summary>libbpf attaches kprobes through this PMU; kernels without CONFIG_KPROBES lack it.</summary>
    private const string KprobePmu = "/sys/bus/event_source/devices/kprobe";

    public static string Name(ConnectPath path) => path == ConnectPath.Kprobe ? "kprobe" : "tracepoint";

    /// <summary>The kprobe path where the kernel has kprobes and the function, else the tracepoint; bad or unmet forcing throws one line.</summary>
    public static ConnectPathChoice Choose()
    {
        var forced = Environment.GetEnvironmentVariable(Variable);
        switch (forced)
        {
            case null or "":
                return KprobeUnavailable() is { } why
                    ? new(ConnectPath.Tracepoint, false, why)
                    : new(ConnectPath.Kprobe, false, $"on {KprobeFunction}");
            case "tracepoint":
                return new(ConnectPath.Tracepoint, true, $"{Variable}=tracepoint");
            case "kprobe":
                return KprobeUnavailable() is { } unavailable
                    ? throw new TracerException($"{Variable}=kprobe, but {unavailable}; unset it to use the tracepoint")
                    : new(ConnectPath.Kprobe, true, $"on {KprobeFunction}, {Variable}=kprobe");
            default:
                throw new TracerException($"{Variable} takes kprobe or tracepoint, not '{forced}'");
        }
    }

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

    private const string Kallsyms = "/proc/kallsyms";
}
