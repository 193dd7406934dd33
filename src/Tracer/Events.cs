using System.Runtime.InteropServices;

namespace Tracer;

// These mirror bpf/tracer.h field for field (C name = snake_case of the C# name);
// a test compares sizes and offsets with the BTF of both arches' objects.

/// <summary>Mirrors enum event_type.</summary>
internal enum EventType : uint
{
    Exec = 1,
    Open = 2,
    Connect = 3,
}

/// <summary>The fields every event starts with: enough to tell which event it is.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct EventHeader
{
    public ulong BootNs;
    public EventType Type;
    public uint Pid;
    public fixed byte Comm[Limits.CommLength];
}

/// <summary>Mirrors struct exec_event.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ExecEvent
{
    public ulong BootNs;
    public EventType Type;
    public uint Pid;
    public fixed byte Comm[Limits.CommLength];
    public uint Ppid;
    public uint Uid;
    public uint ArgsSize;
    public fixed byte Filename[Limits.PathLength];
    public fixed byte Args[Limits.ArgsLength];
}

/// <summary>Mirrors struct open_event.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct OpenEvent
{
    public ulong BootNs;
    public EventType Type;
    public uint Pid;
    public fixed byte Comm[Limits.CommLength];
    public uint Flags;
    public int Result;
    public fixed byte Path[Limits.PathLength];
}

/// <summary>Mirrors struct connect_event.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ConnectEvent
{
    public ulong BootNs;
    public EventType Type;
    public uint Pid;
    public fixed byte Comm[Limits.CommLength];
    public ushort Family;
    public ushort Sport;
    public ushort Dport;
    public ushort Reserved;
    public int Result;
    public fixed byte Saddr[16];
    public fixed byte Daddr[16];
}

/// <summary>Mirrors struct tracer_config: the events and kernel-side filters, written to .rodata before load.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct TracerConfig
{
    public uint Events;
    public uint Pid;
    public uint SelfPid;
    public uint ConnectKprobe;
    public fixed byte Comm[Limits.CommLength];
}

internal static class Limits
{
    public const int CommLength = 16;
    public const int PathLength = 256;
    public const int ArgsLength = 256;
}
