using System.Text;
using System.Text.Json;

namespace Tracer;

/// <summary>Writes events as JSON lines with Utf8JsonWriter: no reflection, so it stays trim-safe.</summary>
internal sealed class EventWriter(Stream output, long bootToUnixOffsetNs) : IDisposable
{
    private readonly BufferedStream _output = new(output, 1 << 16);
    private readonly Utf8JsonWriter _json = new(Stream.Null);

    public long Written { get; private set; }

    public unsafe void WriteExec(in ExecEvent e)
    {
        _json.Reset(_output);
        _json.WriteStartObject();
        _json.WriteString("ts", Clock.ToUtc(e.BootNs, bootToUnixOffsetNs).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'"));
        _json.WriteString("type", "exec");
        _json.WriteNumber("pid", e.Pid);
        _json.WriteNumber("ppid", e.Ppid);
        _json.WriteNumber("uid", e.Uid);
        fixed (byte* comm = e.Comm)
            _json.WriteString("comm", CString(comm, ExecEvent.CommLength));
        fixed (byte* filename = e.Filename)
            _json.WriteString("filename", CString(filename, ExecEvent.FilenameLength));
        _json.WriteEndObject();
        _json.Flush();
        _output.WriteByte((byte)'\n');
        Written++;
    }

    public void Flush() => _output.Flush();

    public void Dispose()
    {
        Flush();
        _json.Dispose();
    }

    private static unsafe string CString(byte* bytes, int capacity)
    {
        var span = new ReadOnlySpan<byte>(bytes, capacity);
        var end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
