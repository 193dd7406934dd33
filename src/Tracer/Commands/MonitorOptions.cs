using Tracer.Bpf;

namespace Tracer.Commands;

internal enum OutputFormat
{
    Json,
    Text,
}

/// <summary>
/// What <c>tracer monitor</c> traces and how it prints it; the tracer's own events only with <paramref name="IncludeSelf"/>.
/// <paramref name="Optional"/>: events asked for only through <c>all</c>, left out where the kernel cannot trace them.
/// </summary>
internal sealed record MonitorOptions(
    IReadOnlySet<EventType> Events,
    TimeSpan? Duration,
    uint Pid,
    string? Comm,
    string? PathGlob,
    OutputFormat Format,
    bool IncludeSelf = false,
    TimeSpan? Interval = null,
    bool Environment = false,
    bool ShowSecrets = false,
    IReadOnlySet<EventType>? Optional = null)
{
    /// <summary>How often totals (file reads and writes, UDP flows) are reported while they last.</summary>
    public TimeSpan TotalsInterval => Interval ?? TimeSpan.FromSeconds(10);
}

/// <summary>Event names as the user and the JSON see them, and the groups --events also takes.</summary>
internal static class EventNames
{
    public static readonly IReadOnlyList<EventType> All =
    [
        EventType.Exec, EventType.Open, EventType.Unlink, EventType.FileIo, EventType.Connect, EventType.Accept,
        EventType.TcpClose, EventType.Udp, EventType.Dns, EventType.Module,
    ];

    /// <summary>The capabilities of the specification, each a name for its events.</summary>
    public static readonly IReadOnlyDictionary<string, EventType[]> Groups = new Dictionary<string, EventType[]>
    {
        ["process"] = [EventType.Exec],
        ["file"] = [EventType.Open, EventType.Unlink, EventType.FileIo],
        ["net"] = [EventType.Connect, EventType.Accept, EventType.TcpClose, EventType.Udp],
        ["all"] = [.. All],
    };

    public static string Of(EventType type) => type switch
    {
        EventType.Exec => "exec",
        EventType.Open => "open",
        EventType.Unlink => "unlink",
        EventType.FileIo => "file_io",
        EventType.Connect => "connect",
        EventType.Accept => "accept",
        EventType.TcpClose => "tcp_close",
        EventType.Udp => "udp",
        EventType.Dns => "dns",
        EventType.Module => "module",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>An event's name, or a group's: null when it is neither.</summary>
    public static EventType[]? Parse(string name) =>
        Groups.TryGetValue(name, out var group) ? group : All.Where(t => Of(t) == name).ToArray() is [var one] ? [one] : null;
}
