using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Tracer.Bpf;

/// <summary>
/// A reader of a session's events ring buffer: owns libbpf's reader and the handle through which its callback reaches
/// the handler. What the handler throws cannot unwind into libbpf: it stops the read and is rethrown by
/// <see cref="Poll"/> or <see cref="Consume"/>.
/// </summary>
internal sealed unsafe class RingBuffer : IDisposable
{
    private const int EIntr = 4;

    private readonly nint _reader;
    private readonly RecordHandler _onRecord;
    private GCHandle _self;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Called for each record, with its bytes as the BPF program wrote them.</summary>
    public delegate void RecordHandler(void* data, nuint size);

    public RingBuffer(int mapFd, RecordHandler onRecord)
    {
        _onRecord = onRecord;
        _self = GCHandle.Alloc(this);
        _reader = LibBpf.RingBufferNew(mapFd, &OnRecord, GCHandle.ToIntPtr(_self), 0);
        if (_reader == 0)
        {
            var error = Marshal.GetLastSystemError();
            _self.Free();
            throw new TracerException($"could not open the event ring buffer: {LibBpf.ErrorText(error)}");
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for records (a signal ends the wait early) and handles them.</summary>
    public void Poll(int timeoutMs)
    {
        var result = LibBpf.RingBufferPoll(_reader, timeoutMs);
        _failure?.Throw();
        if (result < 0 && result != -EIntr)
            throw new TracerException($"reading events failed: {LibBpf.ErrorText(result)}");
    }

    /// <summary>Handles every record written so far, without waiting.</summary>
    public void Consume()
    {
        LibBpf.RingBufferConsume(_reader);
        _failure?.Throw();
    }

    public void Dispose()
    {
        LibBpf.RingBufferFree(_reader);
        _self.Free();
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnRecord(nint context, nint data, nuint size)
    {
        var self = (RingBuffer)GCHandle.FromIntPtr(context).Target!;
        try
        {
            self._onRecord((void*)data, size);
            return 0;
        }
        catch (Exception e)
        {
            // A negative result stops libbpf's loop over the pending records.
            self._failure = ExceptionDispatchInfo.Capture(e);
            return -1;
        }
    }
}
