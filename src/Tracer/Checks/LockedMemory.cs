using System.Runtime.InteropServices;

namespace Tracer.Checks;

/// <summary>
/// Before Linux 5.11 the kernel charges BPF maps to the process's RLIMIT_MEMLOCK rather than its memory cgroup. As
/// root (or with CAP_SYS_RESOURCE) libbpf lifts the limit itself; any other user keeps the distribution's default
/// (64 KiB on Debian 11), far below the tracer's 4 MiB ring buffer, and the load fails with a bare EPERM.
/// </summary>
internal static partial class LockedMemory
{
    private static readonly Version ChargedToCgroupSince = new(5, 11);

    /// <summary>The ring buffer (4 MiB) and the other maps, with room to spare.</summary>
    private const ulong Needed = 8UL << 20;

    private const int RlimitMemlock = 8;
    private const ulong Infinity = ulong.MaxValue;

    private static bool KernelChargesLimit => SystemChecks.KernelRelease < ChargedToCgroupSince;

    public const string Fix =
        "grant CAP_SYS_RESOURCE as well (sudo setcap cap_bpf,cap_perfmon,cap_sys_resource=ep tracer), or raise the limit (ulimit -l unlimited; LimitMEMLOCK=infinity in a systemd unit)";

    public static Check Check(bool hasSysResource)
    {
        if (!KernelChargesLimit)
            return new("locked memory", true, $"Linux {ChargedToCgroupSince}+ charges BPF maps to the memory cgroup, not RLIMIT_MEMLOCK", Fix, ExitCode.NotPermitted);
        if (hasSysResource)
            return new("locked memory", true, "CAP_SYS_RESOURCE lets libbpf lift RLIMIT_MEMLOCK, which this kernel charges BPF maps to", Fix, ExitCode.NotPermitted);
        var limit = RaiseSoftLimit();
        return new("locked memory", limit >= Needed,
            $"Linux {SystemChecks.KernelRelease} charges BPF maps to RLIMIT_MEMLOCK, {Describe(limit)} here, and the tracer's maps need about {Needed >> 20} MiB",
            Fix, ExitCode.NotPermitted);
    }

    /// <summary>Raises the soft limit to the hard one (allowed without privileges); returns the soft limit then in force.</summary>
    private static ulong RaiseSoftLimit()
    {
        var limit = new Rlimit();
        if (GetRlimit(RlimitMemlock, ref limit) != 0)
            return 0;
        if (limit.Current < limit.Maximum)
        {
            var raised = limit with { Current = limit.Maximum };
            if (SetRlimit(RlimitMemlock, ref raised) == 0)
                return raised.Current;
        }
        return limit.Current;
    }

    private static string Describe(ulong limit) => limit == Infinity ? "unlimited" : $"{limit >> 10} KiB";

    [StructLayout(LayoutKind.Sequential)]
    private record struct Rlimit(ulong Current, ulong Maximum);

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRlimit(int resource, ref Rlimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRlimit(int resource, ref Rlimit limit);
}
