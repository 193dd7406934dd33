using System.Runtime.InteropServices;

namespace Tracer;

/// <summary>Mirrors enum event_type in bpf/tracer.h.</summary>
internal enum EventType : uint
{
    Exec = 1,
}

/// <summary>Mirrors struct exec_event in bpf/tracer.h.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ExecEvent
{
    public const int CommLength = 16;
    public const int FilenameLength = 256;

    public ulong BootNs;
    public EventType Type;
    public uint Pid;
    public uint Ppid;
    public uint Uid;
    public fixed byte Comm[CommLength];
    public fixed byte Filename[FilenameLength];
}
