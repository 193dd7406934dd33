using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Tracer.Bpf;
using Tracer.Checks;
using Tracer.Output;

namespace Tracer.Commands;

/// <summary><c>tracer monitor</c>: streams events from the ring buffer to stdout until the duration ends, SIGINT or SIGTERM.</summary>
internal static unsafe class MonitorCommand
{
    // The BPF side wakes us only when much is pending (BPF_RB_NO_WAKEUP below a threshold),
    // so a short timeout plus a consume after every poll bounds the latency instead.
    private const int PollTimeoutMs = 10;

    /// <summary>How long a signal waits for the loop to end; past it stdout is blocked (a full pipe nobody reads).</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromMilliseconds(500);

    public static ExitCode Run(MonitorOptions options)
    {
        SystemChecks.Require();
        // The kernel's own BTF goes without saying; any other is worth a line (which one, from where).
        if (!ProgramBtf.KernelOwn)
            Console.Error.WriteLine($"tracer: BTF: {ProgramBtf.Choice.Detail}");
        using var stop = new CancellationTokenSource();
        // Never disposed: a signal handler may still be waiting on it as Run returns.
        var finished = new ManualResetEventSlim();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        var traced = options.Events.ToHashSet();
        var leftOut = new List<string>();
        foreach (var type in options.Optional ?? new HashSet<EventType>())
        {
            if (BpfSession.Unavailable(type) is { } why && traced.Remove(type))
                leftOut.Add($"tracer: {EventNames.Of(type)} events not traced: {why}");
        }
        using var session = BpfSession.Load(traced, KernelFilters(options, traced));
        // Said once tracing starts: a run that cannot start says only why.
        foreach (var line in leftOut)
            Console.Error.WriteLine(line);
        var writer = new EventWriter(new StandardOutput(), options.Format, options.PathGlob, Clock.BootToUnixOffsetNanoseconds(),
            options.Environment, redactSecrets: !options.ShowSecrets);
        try
        {
            // A udp_close record is not printed: it asks for the closed descriptor's UDP flows.
            using var events = session.ReadEvents((data, size) =>
            {
                if (size >= (nuint)sizeof(UdpCloseEvent) && ((EventHeader*)data)->Type == EventType.UdpClose)
                    session.ReportUdpClose((UdpCloseEvent*)data, writer.Write);
                else
                    writer.Write(data, size);
            });
            if (session.Connect is { FellBack: true } connect)
                Console.Error.WriteLine($"tracer: {connect.Reason}");
            foreach (var (capability, hook) in session.Hooks)
                Console.Error.WriteLine($"tracer: {capability} events via {hook}");
            var names = string.Join(",", traced.Order().Select(EventNames.Of));
            Console.Error.WriteLine($"tracer: tracing {names} events{(options.Duration is { } d ? $" for {d.TotalSeconds:0.###} s" : "")}; Ctrl-C to stop");
            var elapsed = Stopwatch.StartNew();
            var interval = options.TotalsInterval;
            var nextReport = interval;
            while (!stop.IsCancellationRequested && (options.Duration is null || elapsed.Elapsed < options.Duration))
            {
                events.Poll(PollTimeoutMs);
                events.Consume();
                if (elapsed.Elapsed >= nextReport)
                {
                    session.ReportTotals((ulong)interval.Ticks * 100, exit: false, writer.Write);
                    nextReport = elapsed.Elapsed + interval;
                }
                writer.Flush();
                // A reader that has gone is noticed even when no event comes to fail a write.
                if (StandardOutput.IsClosed())
                    return ExitCode.OutputClosed;
            }
            // Drain what the programs wrote before we stopped reading, then the totals still counting.
            events.Consume();
            session.ReportTotals(0, exit: true, writer.Write);
            writer.Flush();
            Console.Error.WriteLine($"tracer: {writer.Received} events received, {session.LostEvents()} lost");
            if (writer.MalformedDns > 0)
                Console.Error.WriteLine($"tracer: {writer.MalformedDns} DNS messages malformed");
            return ExitCode.Ok;
        }
        catch (OutputFailedException e)
        {
            // Quiet when the reader has gone (| head); a full disk or a broken device is worth its one line.
            if (e.IsClosed)
                return ExitCode.OutputClosed;
            Console.Error.WriteLine($"tracer: cannot write events to stdout: {e.Message}");
            return ExitCode.Error;
        }
        finally
        {
            finished.Set();
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
            // The loop notices within a poll timeout, unless it is stuck writing to a stdout nobody reads. Then the run ends
            // here: exiting closes the BPF fds, and with them the kernel detaches and unloads the programs.
            if (!finished.Wait(StopGrace))
            {
                Console.Error.WriteLine("tracer: stdout is not being read; stopped without writing the events still pending");
                Environment.Exit((int)ExitCode.Error);
            }
        }
    }

    private static TracerConfig KernelFilters(MonitorOptions options, IReadOnlySet<EventType> traced)
    {
        var config = new TracerConfig
        {
            Events = traced.Aggregate(0u, (bits, e) => bits | 1u << (int)e),
            Pid = options.Pid,
            SelfPid = options.IncludeSelf ? 0 : (uint)Environment.ProcessId,
            ExecEnv = options.Environment ? 1u : 0u,
        };
        if (options.Comm is { } comm)
            Encoding.UTF8.GetBytes(comm, new Span<byte>(config.Comm, TracerConfig.CommLength - 1));
        return config;
    }
}
