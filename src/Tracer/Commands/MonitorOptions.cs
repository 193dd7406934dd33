using Tracer.Bpf;

namespace Tracer.Commands;

internal enum OutputFormat
{
    Json,
    Text,
}

/// <summary>What <c>tracer monitor</c> traces and how it prints it; the tracer's own events only with <paramref name="IncludeSelf"/>.</summary>
internal sealed record MonitorOptions(
    IReadOnlySet<EventType> Events,
    TimeSpan? Duration,
    uint Pid,
    string? Comm,
    string? PathGlob,
    OutputFormat Format,
    bool IncludeSelf = false);

/// <summary>Event names as the user and the JSON see them, and the BPF program behind each.</summary>
internal static class EventNames
{
    public static readonly IReadOnlyList<EventType> All = [EventType.Exec, EventType.Open, EventType.Connect];

    public static string Of(EventType type) => type switch
    {
        EventType.Exec => "exec",
        EventType.Open => "open",
        EventType.Connect => "connect",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static EventType? Parse(string name) => All.Cast<EventType?>().FirstOrDefault(t => Of(t!.Value) == name);
}
