using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tracer;

/// <summary><c>tracer monitor</c>: streams events from the ring buffer to stdout until the duration ends, SIGINT or SIGTERM.</summary>
internal static unsafe class MonitorCommand
{
    private const int PollTimeoutMs = 100;

    public static int Run(TimeSpan? duration)
    {
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        using var session = BpfSession.Open();
        using var writer = new EventWriter(Console.OpenStandardOutput(), Clock.BootToUnixOffsetNanoseconds());
        var writerHandle = GCHandle.Alloc(writer);
        var ringBuffer = LibBpf.RingBufferNew(session.MapFd("events"), &OnEvent, GCHandle.ToIntPtr(writerHandle), 0);
        try
        {
            if (ringBuffer == 0)
                throw new TracerException($"could not open the event ring buffer: {LibBpf.ErrorText(Marshal.GetLastSystemError())}");

            Console.Error.WriteLine($"tracer: tracing exec events{(duration is { } d ? $" for {d.TotalSeconds:0.###} s" : "")}; Ctrl-C to stop");
            var elapsed = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested && (duration is null || elapsed.Elapsed < duration))
            {
                var result = LibBpf.RingBufferPoll(ringBuffer, PollTimeoutMs);
                if (result < 0 && result != -4 /* EINTR */)
                    throw new TracerException($"reading events failed: {LibBpf.ErrorText(result)}");
                writer.Flush();
            }
            LibBpf.RingBufferConsume(ringBuffer);
            writer.Flush();
            Console.Error.WriteLine($"tracer: {writer.Written} events received");
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

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnEvent(nint context, nint data, nuint size)
    {
        if (size < (nuint)sizeof(ExecEvent))
            return 0;
        var writer = (EventWriter)GCHandle.FromIntPtr(context).Target!;
        ref readonly var e = ref *(ExecEvent*)data;
        if (e.Type == EventType.Exec)
            writer.WriteExec(e);
        return 0;
    }
}
