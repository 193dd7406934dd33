namespace Tracer;

internal enum OutputFormat
{
    Json,
    Text,
}

/// <summary>What <c>tracer monitor</c> traces and how it prints it.</summary>
internal sealed record MonitorOptions(
    IReadOnlySet<EventType> Events,
    TimeSpan? Duration,
    uint Pid,
    string? Comm,
    string? PathGlob,
    OutputFormat Format);

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

    /// <summary>The program in bpf/tracer.bpf.c that produces this event.</summary>
    public static string Program(EventType type) => type == EventType.Exec ? "handle_exec" : "handle_sys_exit";
}
