using System.Runtime.InteropServices;

namespace Tracer.Output;

/// <summary>Turns kernel boot-time nanoseconds (bpf_ktime_get_boot_ns) into wall-clock UTC.</summary>
internal static partial class Clock
{
    private const int ClockRealtime = 0;
    private const int ClockBoottime = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;

        public readonly long TotalNanoseconds => Seconds * 1_000_000_000 + Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Wall-clock nanoseconds since 1970 minus boot-time nanoseconds, sampled now.</summary>
    public static long BootToUnixOffsetNanoseconds()
    {
        ClockGetTime(ClockRealtime, out var realtime);
        ClockGetTime(ClockBoottime, out var boottime);
        return realtime.TotalNanoseconds - boottime.TotalNanoseconds;
    }

    /// <summary>Boot-time nanoseconds now, the clock of the programs' bpf_ktime_get_boot_ns.</summary>
    public static ulong BootNanoseconds()
    {
        ClockGetTime(ClockBoottime, out var boottime);
        return (ulong)boottime.TotalNanoseconds;
    }

    public static DateTime ToUtc(ulong bootNanoseconds, long offsetNanoseconds) =>
        DateTime.UnixEpoch.AddTicks(((long)bootNanoseconds + offsetNanoseconds) / 100);
}
