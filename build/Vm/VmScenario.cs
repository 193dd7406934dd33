using System.Text.Json;
using System.Text.RegularExpressions;

namespace TracerBuild.Vm;

/// <summary>
/// What one VM run showed: the kernel release it booted, the version of its userland's C library, the hook each
/// capability took by default (and where the round without root took others), the events checked, every failure in
/// one line.
/// </summary>
public sealed record VmOutcome(string KernelRelease, string Glibc, string Hooks, int EventsChecked, IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// The host's half of build/Vm/init.sh: reads the console of a VM run and checks, round by round, that every process
/// the init announced produced exactly the events its command must produce, with their fields, and that no event is
/// left unexplained (a bogus open from a misread syscall fails the run).
/// </summary>
public static partial class VmScenario
{
    /// <summary>
    /// The rounds init.sh runs: the tracer's own choice of hooks; the tracepoint for connect and sys_exit for every
    /// capability caught at syscall exit, forced; the tracer's own choice again, run by uid 65534 with the capabilities
    /// USER-README.md documents; the tracer's own choice with the kernel's BTF hidden, on the BTF it carries for the kernel
    /// (hooks taken in the last two that differ from the first round's are reported beside them).
    /// </summary>
    public static readonly (string Name, bool Forced)[] Rounds = [("default", false), ("tracepoint", true), ("nonroot", false), (NoBtfRound, false)];

    private const string NoBtfRound = "nobtf";

    /// <summary>What init.sh's kernel release, faked over /proc/sys/kernel/osrelease, is, for the tracer to carry no BTF for.</summary>
    private const string UnknownKernel = "5.4.0-vmtest";

    /// <summary>The hook the forced round asks of a capability: connect's tracepoint, sys_exit for the others.</summary>
    private static string ForcedHook(string capability) => capability == "connect" ? "tracepoint" : "sys_exit";

    /// <summary>Before 5.11 BPF maps are charged to RLIMIT_MEMLOCK, which CAP_BPF and CAP_PERFMON alone cannot lift.</summary>
    private static readonly Version MemlockCharged = new(5, 11);

    /// <summary>What the tracer says, in one line, to a user without the capabilities (init.sh's nocaps section).</summary>
    public const string NoCapabilitiesLine = "tracer: not root and without CAP_BPF and CAP_PERFMON: run as root (sudo), or grant CAP_BPF and CAP_PERFMON";

    private const int EnoEnt = -2, EConnRefused = -111;
    private const int OWrOnly = 1, OCreat = 0x40, OTrunc = 0x200;

    /// <summary>init.sh's file whose path is too long for the open record the BPF side fills in place.</summary>
    private const string LongPath = "/etc/vmtest/a-path-longer-than-an-open-record-holds-in-place/copied-at-its-own-length";

    public static VmOutcome Check(string console, string expectedVersionLine)
    {
        var lines = console.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var failures = new List<string>();
        var checkedEvents = 0;

        if (!lines.Contains("@@vmtest done"))
            failures.Add($"the VM did not finish its script (last console line: {lines.LastOrDefault(l => l.Length > 0) ?? "none"})");

        var version = Section(lines, "version");
        if (version is null || version.Value.Exit != 0 || !version.Value.Lines.Contains(expectedVersionLine))
            failures.Add($"tracer --version: expected '{expectedVersionLine}' and exit 0, got {Describe(version)}");
        var doctor = Section(lines, "doctor");
        if (doctor is null || doctor.Value.Exit != 0)
            failures.Add($"tracer doctor failed: {Describe(doctor)}");

        var defaults = new Dictionary<string, string>();
        var differences = new List<string>();
        foreach (var (round, forced) in Rounds)
        {
            var hooks = CheckRound(lines, round, failures, ref checkedEvents);
            if (round == "default")
                defaults = hooks;
            else if (forced)
            {
                foreach (var (capability, hook) in hooks.Where(h => h.Value != ForcedHook(h.Key)))
                    failures.Add($"{round}: the tracer took the {hook} hook for {capability} where the {ForcedHook(capability)} one was forced");
            }
            // Without root a hook may be refused (kprobes, tracefs): the tracer takes another, and the events must still come.
            else if (hooks.Where(h => defaults.GetValueOrDefault(h.Key) != h.Value).OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}={h.Value}").ToList() is { Count: > 0 } other)
                differences.Add($"{round}: {string.Join(' ', other)}");
        }
        var hookSummary = string.Join(' ', defaults.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}={h.Value}")) +
            string.Concat(differences.Select(d => $" ({d})"));
        var kernel = lines.FirstOrDefault(l => l.StartsWith("@@vmtest kernel ", StringComparison.Ordinal))?.Split(' ')[2] ?? "?";
        var glibc = lines.Select(l => GlibcLine().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value ?? "?";
        if (glibc == "?")
            failures.Add("the VM's C library did not say its version");
        CheckWithoutRoot(lines, kernel, failures);
        CheckWithoutBtf(lines, kernel, failures);
        return new(kernel, glibc, hookSummary, checkedEvents, failures);
    }

    /// <summary>
    /// With the kernel's BTF hidden the monitor says it runs on the BTF it carries for this kernel (the round's events
    /// are checked as every round's); with a kernel release it carries none for, it stops in one line with exit 4.
    /// </summary>
    private static void CheckWithoutBtf(List<string> lines, string kernel, List<string> failures)
    {
        var carried = $"tracer: BTF: carried for {kernel}";
        if (!lines.Any(l => l.StartsWith($"@@vmtest stderr {NoBtfRound} {carried}", StringComparison.Ordinal)))
            failures.Add($"{NoBtfRound}: the monitor did not say '{carried}'");
        var unknown = Section(lines, "nobtf-unknown");
        if (unknown is not { Exit: 4 } || unknown.Value.Lines.Where(l => l.Length > 0).ToList() is not [var line] ||
            !line.StartsWith($"tracer: this kernel ({UnknownKernel}) has no BTF", StringComparison.Ordinal))
            failures.Add($"nobtf-unknown: expected exit 4 and one line 'tracer: this kernel ({UnknownKernel}) has no BTF ...', got {Describe(unknown)}");
    }

    /// <summary>
    /// init.sh's sections run as uid 65534: doctor with the documented capabilities sees them; without any, monitor stops
    /// in one line with exit 3; with CAP_BPF and CAP_PERFMON alone it runs from 5.11 on and, before, names the
    /// locked-memory limit in one line with exit 3.
    /// </summary>
    private static void CheckWithoutRoot(List<string> lines, string kernel, List<string> failures)
    {
        var doctor = Section(lines, "nonroot-doctor");
        if (doctor is null || doctor.Value.Exit != 0 ||
            !doctor.Value.Lines.Contains("pass  privileges: CAP_BPF and CAP_PERFMON granted") ||
            !doctor.Value.Lines.Contains("pass  capabilities: has CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE; lacks CAP_SYS_ADMIN"))
            failures.Add($"nonroot: doctor as uid 65534 with the documented capabilities: expected them granted and exit 0, got {Describe(doctor)}");

        var noCapabilities = Section(lines, "nocaps");
        if (noCapabilities is not { Exit: 3 } || noCapabilities.Value.Lines.Where(l => l.Length > 0).ToList() is not [NoCapabilitiesLine])
            failures.Add($"nocaps: expected exit 3 and the one line '{NoCapabilitiesLine}', got {Describe(noCapabilities)}");

        var twoCapabilities = Section(lines, "twocaps");
        if (!System.Version.TryParse(string.Join('.', kernel.Split('.', '-').Take(2)), out var release))
        {
            failures.Add($"twocaps: the kernel release '{kernel}' says no version, so what CAP_BPF and CAP_PERFMON alone must do is unknown");
            return;
        }
        var charged = release < MemlockCharged;
        var output = twoCapabilities?.Lines.Where(l => l.Length > 0).ToList() ?? [];
        if (charged && (twoCapabilities is not { Exit: 3 } || output is not [var line] || !line.StartsWith("tracer: Linux ", StringComparison.Ordinal) || !line.Contains("RLIMIT_MEMLOCK") || !line.Contains("cap_sys_resource")))
            failures.Add($"twocaps: before {MemlockCharged} CAP_BPF and CAP_PERFMON alone must stop in one line naming RLIMIT_MEMLOCK and CAP_SYS_RESOURCE with exit 3, got {Describe(twoCapabilities)}");
        else if (!charged && twoCapabilities is not { Exit: 0 })
            failures.Add($"twocaps: from {MemlockCharged} on, CAP_BPF and CAP_PERFMON are enough, got {Describe(twoCapabilities)}");
    }

    /// <summary>One monitor run and its triggers; returns the hook the monitor reported for each capability.</summary>
    private static Dictionary<string, string> CheckRound(List<string> lines, string round, List<string> failures, ref int checkedEvents)
    {
        var pids = Announced(lines, "pid", round);
        var exits = Announced(lines, "exit", round);
        var stderr = lines.Where(l => l.StartsWith($"@@vmtest stderr {round} ", StringComparison.Ordinal))
            .Select(l => l[$"@@vmtest stderr {round} ".Length..]).ToList();
        var hooks = stderr.Select(l => HookLine().Match(l)).Where(m => m.Success).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        if (!hooks.ContainsKey("connect"))
            failures.Add($"{round}: the monitor did not say which connect hook it took (stderr: {string.Join(" | ", stderr)})");

        // -1: the script never saw it exit.
        if (exits.GetValueOrDefault($"monitor-{round}", -1) is not 0 and var exit)
            failures.Add($"{round}: tracer monitor exited with {exit} (stderr: {string.Join(" | ", stderr)})");
        var events = Section(lines, $"events-{round}")?.Lines.Where(l => l.Length > 0).ToList() ?? [];
        var summary = stderr.Select(l => SummaryLine().Match(l)).FirstOrDefault(m => m.Success);
        if (summary is null)
            failures.Add($"{round}: no 'events received' line from the monitor");
        else if (summary.Groups[2].Value != "0" || summary.Groups[1].Value != events.Count.ToString())
            failures.Add($"{round}: the monitor says '{summary.Value}' but printed {events.Count} events");

        var doctor = Section(lines, $"doctor-{round}");
        if (doctor is null || doctor.Value.Exit != 0)
            failures.Add($"{round}: tracer doctor (live check) failed: {Describe(doctor)}");
        var liveConnects = doctor?.Lines.Select(l => LiveConnectLine().Match(l)).Where(m => m.Success).ToList() ?? [];
        if (!liveConnects.Any(m => m.Groups[1].Value == "ipv4"))
            failures.Add($"{round}: tracer doctor reported no live IPv4 connect ({Describe(doctor)})");

        // What each announced process must produce, keyed by pid.
        var expected = new Dictionary<int, List<Expected>>();
        foreach (var (name, pid) in pids)
        {
            var trigger = name.StartsWith(round + ":", StringComparison.Ordinal) ? name[(round.Length + 1)..] : name;
            if (trigger.StartsWith("monitor-", StringComparison.Ordinal))
                expected[pid] = []; // the tracer skips its own activity
            else if (Expectations(round, trigger, liveConnects) is { } produced)
                expected[pid] = produced;
            else
                failures.Add($"{round}: init.sh announced a trigger this check does not know: {trigger}");
        }

        foreach (var line in events)
        {
            JsonElement e;
            try
            {
                e = JsonDocument.Parse(line).RootElement;
            }
            catch (JsonException)
            {
                failures.Add($"{round}: not a JSON event: {line}");
                continue;
            }
            var pid = e.TryGetProperty("pid", out var p) ? p.GetInt32() : -1;
            if (!expected.TryGetValue(pid, out var wanted))
            {
                failures.Add($"{round}: unexplained event of a process the test did not start: {line}");
                continue;
            }
            var match = wanted.FirstOrDefault(w => !w.Seen && w.Matches(e)) ?? wanted.FirstOrDefault(w => w.Repeats && w.Matches(e));
            if (match is null)
            {
                failures.Add($"{round}: unexplained event of {Name(pids, pid)}: {line}");
                continue;
            }
            match.Seen = true;
            checkedEvents++;
        }
        foreach (var (pid, wanted) in expected)
        {
            foreach (var missing in wanted.Where(w => !w.Seen && !w.Optional))
                failures.Add($"{round}: {Name(pids, pid)} (pid {pid}): no {missing.Description}");
        }
        return hooks;
    }

    /// <summary>The events a trigger of init.sh produces in a round; names are "cat", "connect4:127.0.0.1:8080" and so on.</summary>
    private static List<Expected>? Expectations(string round, string trigger, List<Match> liveConnects)
    {
        var parts = trigger.Split(':');
        // An IPv6 address has colons of its own: the name is kind:address:port.
        var kind = parts[0];
        var address = parts.Length >= 3 ? string.Join(':', parts[1..^1]) : "";
        var port = parts.Length >= 2 && int.TryParse(parts[^1], out var number) ? number : 0;
        var family = kind.EndsWith('6') ? "ipv6" : "ipv4";
        // A non-interactive shell gives a background job /dev/null as its stdin (POSIX): opened by the child before its exec.
        var stdin = Open("/dev/null", e => Int(e, "result") >= 0 && (Int(e, "flags") & 3) == 0, "stdin of a background job, O_RDONLY");
        return kind switch
        {
            "cat" =>
            [
                stdin, Exec("/bin/cat", "/etc/vmtest/hello"), Open("/etc/vmtest/hello", e => Int(e, "result") >= 0 && (Int(e, "flags") & 3) == 0, "fd >= 0, O_RDONLY"),
                FileIo("/etc/vmtest/hello", AnyFd, reads: 2, readBytes: HelloBytes, writes: 0, writeBytes: 0, "close"),
            ],
            "cat-missing" => [stdin, Exec("/bin/cat", "/etc/vmtest/missing"), Open("/etc/vmtest/missing", e => Int(e, "result") == EnoEnt, $"result {EnoEnt}")],
            "cat-long" =>
            [
                stdin, Exec("/bin/cat", LongPath), Open(LongPath, e => Int(e, "result") >= 0, "fd >= 0, a path the BPF side copies whole"),
                FileIo(LongPath, AnyFd, reads: 2, readBytes: HelloBytes, writes: 0, writeBytes: 0, "close"),
            ],
            "write" =>
            [
                stdin, Exec("/bin/dd", "if=/dev/zero", $"of={DataFile}", "bs=4096", "count=8"),
                Open("/dev/zero", e => Int(e, "result") >= 0 && (Int(e, "flags") & 3) == 0, "O_RDONLY"),
                Open(DataFile, e => Int(e, "result") >= 0 && (Int(e, "flags") & (3 | OCreat | OTrunc)) == (OWrOnly | OCreat | OTrunc), "O_WRONLY|O_CREAT|O_TRUNC"),
                // /dev/zero is a device: only regular files are counted.
                FileIo(DataFile, 1, reads: 0, readBytes: 0, writes: 8, writeBytes: DataBytes, "close"),
            ],
            "read" =>
            [
                stdin, Exec("/bin/dd", $"if={DataFile}", "of=/dev/null", "bs=4096"),
                Open(DataFile, e => Int(e, "result") >= 0 && (Int(e, "flags") & 3) == 0, "O_RDONLY"),
                Open("/dev/null", e => Int(e, "result") >= 0 && (Int(e, "flags") & (3 | OCreat | OTrunc)) == (OWrOnly | OCreat | OTrunc), "O_WRONLY|O_CREAT|O_TRUNC"),
                // Eight reads of 4096 bytes, and the ninth at the end of the file.
                FileIo(DataFile, 0, reads: 9, readBytes: DataBytes, writes: 0, writeBytes: 0, "close"),
            ],
            // arm64 has neither unlink nor rmdir: unlinkat does both, AT_REMOVEDIR for a directory.
            "rm" => [stdin, Exec("/bin/rm", DataFile), Unlink(DataFile, "unlink", 0)],
            "rmdir" => [stdin, Exec("/bin/rmdir", $"/tmp/dir-{round}"), Unlink($"/tmp/dir-{round}", "rmdir", AtRemoveDir)],
            "sleep4" or "sleep6" or "udpsleep4" or "udpsleep6" or "udpsleep-dns" => [stdin, Exec("/bin/sleep", "1")],
            "exec-big" =>
            [
                stdin,
                ExecCut("/usr/bin/env", ["/usr/bin/env", "-i", BigVariable, "/bin/true", .. Numbers], null),
                ExecCut("/bin/true", ["/bin/true", .. Numbers], [BigVariable]),
            ],
            "exec-secret" =>
            [
                stdin,
                Exec("/usr/bin/env", "-i", "API_TOKEN=***", "/bin/true", "--password=***", "--api-token", "***"),
                Exec("/bin/true", e => Env(e).SequenceEqual(["API_TOKEN=***"]) && Int(e, "envc") == 1, "--password=***", "--api-token", "***"),
            ],
            "exec-missing" =>
            [
                stdin,
                new($"failed exec of {MissingProgram} (result {EnoEnt})", e =>
                    Type(e) == "exec" && Str(e, "filename") == MissingProgram && Int(e, "result") == EnoEnt && Int(e, "ppid") == 1 &&
                    Args(e).SequenceEqual([MissingProgram]) && Int(e, "argc") == 1),
            ],
            "nslookup" =>
            [
                stdin, Exec("/usr/bin/nslookup", "example.com", "127.0.0.1"),
                // Older busybox-static links glibc's resolver, which looks for its configuration first (absent here).
                Open("/etc/resolv.conf", e => Int(e, "result") == EnoEnt, "glibc's resolver, absent") with { Optional = true },
                Open("/etc/host.conf", e => Int(e, "result") == EnoEnt, "glibc's resolver, absent") with { Optional = true },
                // busybox asks for A and AAAA; udppeer answers A with one address, AAAA with none.
                Dns("sent", "A", DnsQueryBytes, server: false), Dns("sent", "AAAA", DnsQueryBytes, server: false),
                Dns("received", "A", DnsAResponseBytes, server: false), Dns("received", "AAAA", DnsQueryBytes, server: false),
                Udp("ipv4", "127.0.0.1", 53, local: false, 2, 2 * DnsQueryBytes, 2, DnsAResponseBytes + DnsQueryBytes),
            ],
            "dnsd" =>
            [
                stdin, Exec(VmImage.UdpPeerPath, "dns", "53"),
                Dns("received", "A", DnsQueryBytes, server: true), Dns("received", "AAAA", DnsQueryBytes, server: true),
                Dns("sent", "A", DnsAResponseBytes, server: true), Dns("sent", "AAAA", DnsQueryBytes, server: true),
                Udp("ipv4", "127.0.0.1", 53, local: true, 2, DnsAResponseBytes + DnsQueryBytes, 2, 2 * DnsQueryBytes),
            ],
            "udpserve4" or "udpserve6" =>
            [
                stdin, Exec(VmImage.UdpPeerPath, "serve", address, port.ToString(), "2"),
                Udp(family, address, port, local: true, 2, UdpBytes, 2, UdpBytes),
            ],
            "udpsend4" or "udpsend6" =>
            [
                stdin, Exec(VmImage.UdpPeerPath, "send", address, port.ToString(), "100", "300"),
                Udp(family, address, port, local: false, 2, UdpBytes, 2, UdpBytes),
            ],
            "insmod" =>
            [
                stdin,
                Exec("/sbin/insmod", TestModuleFile),
                Open(TestModuleFile, e => Int(e, "result") >= 0, "fd >= 0"),
                new($"load of module {VmImage.TestModule} from its file (taints 0, result 0)", e =>
                    Type(e) == "module" && Str(e, "op") == "load" && Str(e, "name") == VmImage.TestModule && Str(e, "file") == Path.GetFileName(TestModuleFile) &&
                    Int(e, "fd") >= 0 && Int(e, "taints") == 0 && Int(e, "result") == 0 && Str(e, "comm") == "insmod"),
            ],
            "rmmod" =>
            [
                stdin,
                Exec("/sbin/rmmod", VmImage.TestModule),
                new($"unload of module {VmImage.TestModule} (result 0)", e =>
                    Type(e) == "module" && Str(e, "op") == "unload" && Str(e, "name") == VmImage.TestModule && Int(e, "result") == 0 && Str(e, "comm") == "rmmod"),
            ],
            "listen4" or "listen6" =>
            [
                Exec("/usr/bin/nc", "-l", "-p", port.ToString()),
                stdin,
                Open(Reply, e => Int(e, "result") >= 0 && (Int(e, "flags") & 3) == 0, "for stdin, O_RDONLY"),
                FileIo(Reply, 0, reads: 2, readBytes: ReplyBytes, writes: 0, writeBytes: 0, "exit"),
                Open("/dev/null", e => Int(e, "result") >= 0 && (Int(e, "flags") & (3 | OCreat | OTrunc)) == (OWrOnly | OCreat | OTrunc), "for stdout, O_WRONLY|O_CREAT|O_TRUNC"),
                // busybox nc listens on an IPv6 socket that takes IPv4 too: its IPv4 peers are IPv4-mapped addresses.
                new($"accept on port {port} from {Accepted(family)}", e =>
                    Type(e) == "accept" && Str(e, "family") == "ipv6" && Str(e, "saddr") == Accepted(family) && Int(e, "sport") == port &&
                    Str(e, "daddr") == Accepted(family) && Int(e, "dport") > 0 && Int(e, "result") >= 0),
                TcpClose("accept", "ipv6", Accepted(family), port, ReplyBytes, RequestBytes, local: true),
            ],
            "connect4" or "connect6" =>
            [
                stdin,
                Open(Request, e => Int(e, "result") >= 0 && (Int(e, "flags") & 3) == 0, "for stdin, O_RDONLY"),
                // nc exits without closing its stdin: its totals come at the monitor's exit.
                FileIo(Request, 0, reads: 2, readBytes: RequestBytes, writes: 0, writeBytes: 0, "exit"),
                Exec("/usr/bin/nc", address, port.ToString()),
                Connect(family, address, port, 0, e => Str(e, "saddr") == address && Int(e, "sport") > 0, "saddr the loopback address, sport > 0"),
                TcpClose("connect", family, address, port, RequestBytes, ReplyBytes),
            ],
            "refused4" or "refused6" =>
            [
                stdin,
                Exec("/usr/bin/nc", address, port.ToString()),
                Connect(family, address, port, EConnRefused, _ => true, ""),
                TcpClose("connect", family, address, port, 0, 0),
            ],
            "doctor" =>
            [
                stdin,
                new("its exec", e => Type(e) == "exec" && Str(e, "filename").EndsWith("/tracer", StringComparison.Ordinal)),
                // The .NET runtime opens its own files; each must still be a real open of a real path.
                new("opens", e => Type(e) == "open" && Str(e, "path").StartsWith('/'), Optional: true, Repeats: true),
                .. liveConnects.Select(m => Connect(m.Groups[1].Value, m.Groups[2].Value, int.Parse(m.Groups[3].Value), int.Parse(m.Groups[4].Value), _ => true, "as doctor reported it")),
                new("its files' reads and writes", e => Type(e) == "file_io" && Str(e, "path").StartsWith('/'), Optional: true, Repeats: true),
                // Its live connects' flows end with the check (no bytes sent).
                new("ends of its flows", e => Type(e) == "tcp_close" && Str(e, "direction") == "connect" && Int(e, "bytes_sent") == 0, Optional: true, Repeats: true),
            ],
            _ => null,
        };
    }

    private static Expected Exec(string filename, params string[] args) => Exec(filename, _ => true, args);

    /// <summary>A successful exec of a program started by init.sh, its whole argv seen.</summary>
    private static Expected Exec(string filename, Func<JsonElement, bool> more, params string[] args) =>
        new($"exec of {filename} {string.Join(' ', args)} (ppid 1, uid 0, result 0, argc {args.Length + 1})", e =>
            Type(e) == "exec" && Str(e, "filename") == filename && Int(e, "ppid") == 1 && Int(e, "uid") == 0 && Int(e, "result") == 0 &&
            Args(e).SequenceEqual([filename, .. args]) && Int(e, "argc") == args.Length + 1 && !Bool(e, "args_truncated") &&
            Str(e, "comm") == Path.GetFileName(filename) && more(e));

    /// <summary>
    /// An exec whose argv (and environment, when given) is longer than the event keeps: the strings the kept bytes hold,
    /// the last one cut, with argc (envc) counting them all and the truncated flags set.
    /// </summary>
    private static Expected ExecCut(string filename, string[] args, string[]? env) =>
        new($"exec of {filename} with {args.Length} arguments cut to {ArgsKept} bytes{(env is null ? "" : $" and its environment cut to {EnvKept} bytes")}", e =>
            Type(e) == "exec" && Str(e, "filename") == filename && Int(e, "result") == 0 && Int(e, "ppid") == 1 &&
            Int(e, "argc") == args.Length && Bool(e, "args_truncated") && Args(e).SequenceEqual(Kept(args, ArgsKept)) &&
            (env is null || (Int(e, "envc") == env.Length && Bool(e, "env_truncated") && Env(e).SequenceEqual(Kept(env, EnvKept)))));

    /// <summary>NUL-separated strings cut to their first <paramref name="bytes"/> bytes, as the tracer splits them again.</summary>
    private static List<string> Kept(string[] strings, int bytes) =>
        [.. string.Join('\0', strings)[..bytes].Split('\0') is var parts && parts[^1].Length == 0 ? parts[..^1] : parts];

    /// <summary>The bytes of argv and of the environment an exec event keeps (tracer.h's MAX_ARGS_LEN and MAX_ENV_LEN, less one).</summary>
    private const int ArgsKept = 8191, EnvKept = 16383;

    /// <summary>init.sh's exec-big trigger: "BIG=" and 70000 x, and the numbers 1 to 3000 as arguments.</summary>
    private static readonly string BigVariable = "BIG=" + new string('x', 70000);
    private static readonly string[] Numbers = [.. Enumerable.Range(1, 3000).Select(n => n.ToString())];

    private const string MissingProgram = "/opt/missing-program", TestModuleFile = "/tmp/dummy.ko";

    /// <summary>
    /// A query for example.com: a 12-byte header, the name in 13 bytes, its type and class; udppeer's answer to an A query
    /// adds one record of 16 bytes (a pointer to the name, type, class, TTL, length, the address), to AAAA none.
    /// </summary>
    private const int DnsQueryBytes = 29, DnsAResponseBytes = DnsQueryBytes + 16;

    /// <summary>The datagrams init.sh's UDP client sends (100 and 300 bytes), each answered with as many bytes.</summary>
    private const long UdpBytes = 400;

    /// <summary>
    /// A DNS message about example.com of <paramref name="qtype"/> over UDP on loopback: a query when sent by the client
    /// or received by the server, else a response (NOERROR; for A, udppeer's one address; the client's with its latency).
    /// </summary>
    private static Expected Dns(string direction, string qtype, int size, bool server)
    {
        var response = (direction == "sent") == server;
        return new($"DNS {(response ? "response" : "query")} for example.com {qtype}, {direction} ({size} bytes)", e =>
            Type(e) == "dns" && Str(e, "direction") == direction && Str(e, "transport") == "udp" && Str(e, "family") == "ipv4" &&
            Str(e, "saddr") == "127.0.0.1" && Str(e, "daddr") == "127.0.0.1" && Int(e, server ? "sport" : "dport") == 53 &&
            Int(e, server ? "dport" : "sport") > 0 && Int(e, "size") == size && Str(e, "qname") == "example.com" && Str(e, "qtype") == qtype &&
            Bool(e, "response") == response && e.GetProperty("malformed").ValueKind == JsonValueKind.Null &&
            (!response || (Str(e, "rcode") == "NOERROR" && Answers(e) == (qtype == "A" ? "example.com A 300 93.184.216.34" : ""))) &&
            (server || !response || Int(e, "latency_ns") > 0));
    }

    /// <summary>A DNS event's answers as one line: "name type ttl data", comma-separated.</summary>
    private static string Answers(JsonElement e) =>
        e.TryGetProperty("answers", out var answers) && answers.ValueKind == JsonValueKind.Array
            ? string.Join(", ", answers.EnumerateArray().Select(a => $"{Str(a, "name")} {Str(a, "type")} {Int(a, "ttl")} {Str(a, "data")}"))
            : "?";

    /// <summary>
    /// A UDP flow on loopback at its socket's close, with exact counts each way; <paramref name="local"/>:
    /// <paramref name="port"/> is this side's (a server's), else the peer's.
    /// </summary>
    private static Expected Udp(string family, string address, int port, bool local, long sentDatagrams, long sentBytes, long receivedDatagrams, long receivedBytes) =>
        new($"{family} udp flow ({(local ? "on" : "to")} port {port}): {sentDatagrams} datagrams of {sentBytes} bytes sent, {receivedDatagrams} of {receivedBytes} received, at close", e =>
            Type(e) == "udp" && Str(e, "reason") == "close" && Str(e, "family") == family && Str(e, "saddr") == address && Str(e, "daddr") == address &&
            Int(e, local ? "sport" : "dport") == port && Int(e, local ? "dport" : "sport") > 0 &&
            Int(e, "datagrams_sent") == sentDatagrams && Int(e, "bytes_sent") == sentBytes &&
            Int(e, "datagrams_received") == receivedDatagrams && Int(e, "bytes_received") == receivedBytes);

    private static string[] Args(JsonElement e) => Strings(e, "args");

    private static string[] Env(JsonElement e) => Strings(e, "env");

    private static string[] Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? [.. a.EnumerateArray().Select(x => x.GetString() ?? "")] : [];

    private static bool Bool(JsonElement e, string name) => e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static Expected Open(string path, Func<JsonElement, bool> more, string what) =>
        new($"open of {path} ({what})", e => Type(e) == "open" && Str(e, "path") == path && more(e));

    private static Expected Connect(string family, string address, int port, int result, Func<JsonElement, bool> more, string what) =>
        new($"{family} connect to {address} port {port} with result {result}{(what.Length > 0 ? $" ({what})" : "")}", e =>
            Type(e) == "connect" && Str(e, "family") == family && Str(e, "daddr") == address && Int(e, "dport") == port &&
            Int(e, "result") == result && more(e));

    /// <summary>A file's totals as the tracer reports them, with the reason.</summary>
    private static Expected FileIo(string path, int fd, long reads, long readBytes, long writes, long writeBytes, string reason) =>
        new($"file_io of {path} (fd {(fd == AnyFd ? "any" : fd)}): {reads} reads of {readBytes} bytes, {writes} writes of {writeBytes} bytes, at {reason}", e =>
            Type(e) == "file_io" && Str(e, "path") == path && (fd == AnyFd ? Int(e, "fd") >= 0 : Int(e, "fd") == fd) && Int(e, "reads") == reads && Int(e, "read_bytes") == readBytes &&
            Int(e, "writes") == writes && Int(e, "write_bytes") == writeBytes && Str(e, "reason") == reason);

    /// <summary>An unlink of <paramref name="path"/> relative to the working directory, by its own call or (arm64) by unlinkat.</summary>
    private static Expected Unlink(string path, string call, int unlinkatFlags) =>
        new($"{call} of {path} (or unlinkat with flags {unlinkatFlags}), result 0", e =>
            Type(e) == "unlink" && Str(e, "path") == path && Int(e, "dirfd") == AtFdCwd && Int(e, "result") == 0 &&
            ((Str(e, "call") == call && Int(e, "flags") == 0) || (Str(e, "call") == "unlinkat" && Int(e, "flags") == unlinkatFlags)));

    private const int AtFdCwd = -100, AtRemoveDir = 0x200;

    /// <summary>A file the program opened itself: whichever descriptor the open returned (see its open event).</summary>
    private const int AnyFd = -1;

    /// <summary>init.sh's files: what cat reads ("hello\n"), and what dd writes then reads back (8 blocks of 4096).</summary>
    private const long HelloBytes = 6, DataBytes = 8 * 4096;
    private const string DataFile = "/tmp/data";

    /// <summary>
    /// A TCP flow's end with its exact payload bytes each way; <paramref name="local"/>: <paramref name="port"/> is this
    /// side's (an accepted flow), else the peer's.
    /// </summary>
    private static Expected TcpClose(string direction, string family, string address, int port, long sent, long received, bool local = false) =>
        new($"{family} tcp_close ({direction}, port {port}) with {sent} bytes sent and {received} received", e =>
            Type(e) == "tcp_close" && Str(e, "direction") == direction && Str(e, "family") == family && Str(e, "saddr") == address &&
            Str(e, "daddr") == address && Int(e, local ? "sport" : "dport") == port && Int(e, local ? "dport" : "sport") > 0 &&
            Int(e, "bytes_sent") == sent && Int(e, "bytes_received") == received && Int(e, "duration_ns") > 0);

    /// <summary>The peer address a dual-stack listener sees for a loopback connect of <paramref name="family"/>.</summary>
    private static string Accepted(string family) => family == "ipv6" ? "::1" : "::ffff:127.0.0.1";

    /// <summary>init.sh's files a client sends and its server answers, and their sizes.</summary>
    private const string Request = "/etc/vmtest/request", Reply = "/etc/vmtest/reply";
    private const long RequestBytes = 1000, ReplyBytes = 500;

    private static string Type(JsonElement e) => Str(e, "type");

    private static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    private static long Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : long.MinValue;

    private static string Name(Dictionary<string, int> pids, int pid) => pids.FirstOrDefault(p => p.Value == pid).Key ?? $"pid {pid}";

    /// <summary>"@@vmtest pid NAME PID" or "@@vmtest exit NAME CODE" lines of a round (and its monitor).</summary>
    private static Dictionary<string, int> Announced(List<string> lines, string marker, string round)
    {
        var found = new Dictionary<string, int>();
        foreach (var line in lines)
        {
            // A trigger's own output to the console may come first on the line (the shell's "not found" of a failed exec).
            var parts = line[Math.Max(0, line.IndexOf("@@vmtest ", StringComparison.Ordinal))..].Split(' ');
            if (parts.Length == 4 && parts[0] == "@@vmtest" && parts[1] == marker &&
                (parts[2].StartsWith(round + ":", StringComparison.Ordinal) || parts[2] == $"monitor-{round}") && int.TryParse(parts[3], out var value))
                found[parts[2]] = value;
        }
        return found;
    }

    /// <summary>The lines between "@@vmtest begin NAME" and "@@vmtest end NAME CODE", and the code.</summary>
    private static (List<string> Lines, int Exit)? Section(List<string> lines, string name)
    {
        var begin = lines.IndexOf($"@@vmtest begin {name}");
        if (begin < 0)
            return null;
        var end = lines.FindIndex(begin, l => l == $"@@vmtest end {name}" || l.StartsWith($"@@vmtest end {name} ", StringComparison.Ordinal));
        if (end < 0)
            return (lines[(begin + 1)..], -1);
        return (lines[(begin + 1)..end], int.TryParse(lines[end].Split(' ').Last(), out var code) ? code : -1);
    }

    private static string Describe((List<string> Lines, int Exit)? section) =>
        section is null ? "nothing (it never ran)" : $"exit {section.Value.Exit}: {string.Join(" | ", section.Value.Lines.Where(l => l.Length > 0).TakeLast(6))}";

    private sealed record Expected(string Description, Func<JsonElement, bool> Matches, bool Optional = false, bool Repeats = false)
    {
        public bool Seen { get; set; }
    }

    [GeneratedRegex(@"^tracer: (\w+) events via (\S+)")]
    private static partial Regex HookLine();

    [GeneratedRegex(@"^@@vmtest glibc .* release version (\d+\.\d+)")]
    private static partial Regex GlibcLine();

    [GeneratedRegex(@"^tracer: (\d+) events received, (\d+) lost")]
    private static partial Regex SummaryLine();

    [GeneratedRegex(@"live connect: (ipv4|ipv6) \[?([0-9a-f.:]+?)\]?:(\d+) result (-?\d+)")]
    private static partial Regex LiveConnectLine();
}
