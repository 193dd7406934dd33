using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Tracer;

/// <summary><c>tracer monitor</c>: streams events from the ring buffer to stdout until the duration ends, SIGINT or SIGTERM.</summary>
internal static unsafe class MonitorCommand
{
    // The BPF side wakes us only when much is pending (BPF_RB_NO_WAKEUP below a threshold),
    // so a short timeout plus a consume after every poll bounds the latency instead.
    private const int PollTimeoutMs = 10;

    public static int Run(MonitorOptions options)
    {
        SystemChecks.Require();
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        using var session = BpfSession.Open(options.Events, KernelFilters(options));
        using var writer = new EventWriter(Console.OpenStandardOutput(), options.Format, options.PathGlob, Clock.BootToUnixOffsetNanoseconds());
        var writerHandle = GCHandle.Alloc(writer);
        var ringBuffer = LibBpf.RingBufferNew(session.MapFd("events"), &OnEvent, GCHandle.ToIntPtr(writerHandle), 0);
        try
        {
            if (ringBuffer == 0)
                throw new TracerException($"could not open the event ring buffer: {LibBpf.ErrorText(Marshal.GetLastSystemError())}");

            if (session.Connect is { } connect)
            {
                if (connect.FellBack)
                    Console.Error.WriteLine($"tracer: {connect.Reason}");
                Console.Error.WriteLine($"tracer: connect events via {ConnectPaths.Name(connect.Path)}");
            }
            var names = string.Join(",", options.Events.Order().Select(EventNames.Of));
            Console.Error.WriteLine($"tracer: tracing {names} events{(options.Duration is { } d ? $" for {d.TotalSeconds:0.###} s" : "")}; Ctrl-C to stop");
            var elapsed = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested && (options.Duration is null || elapsed.Elapsed < options.Duration))
            {
                var result = LibBpf.RingBufferPoll(ringBuffer, PollTimeoutMs);
                if (result < 0 && result != -4 /* EINTR */)
                    throw new TracerException($"reading events failed: {LibBpf.ErrorText(result)}");
                LibBpf.RingBufferConsume(ringBuffer);
                writer.Flush();
            }
            // Drain what the programs wrote before we stopped reading.
            LibBpf.RingBufferConsume(ringBuffer);
            writer.Flush();
            Console.Error.WriteLine($"tracer: {writer.Received} events received, {session.LostEvents()} lost");
            return 0;
        }
        finally
        {
            if (ringBuffer != 0)
                LibBpf.RingBufferFree(ringBuffer);
            writerHandle.Free();
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static TracerConfig KernelFilters(MonitorOptions options)
    {
        var config = new TracerConfig
        {
            Events = options.Events.Aggregate(0u, (bits, e) => bits | 1u << (int)e),
            Pid = options.Pid,
            SelfPid = options.IncludeSelf ? 0 : (uint)Environment.ProcessId,
        };
        if (options.Comm is { } comm)
            Encoding.UTF8.GetBytes(comm, new Span<byte>(config.Comm, Limits.CommLength - 1));
        return config;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnEvent(nint context, nint data, nuint size)
    {
        ((EventWriter)GCHandle.FromIntPtr(context).Target!).Write((void*)data, size);
        return 0;
    }
}
