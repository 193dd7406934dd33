using System.Reflection;
using System.Runtime.InteropServices;

namespace Tracer;

/// <summary>The tracer's BPF object, loaded into the kernel with the chosen events' programs attached; disposing detaches and unloads it.</summary>
internal sealed unsafe class BpfSession : IDisposable
{
    private readonly nint _object;
    private readonly List<nint> _links = [];
    private readonly byte* _image;

    private BpfSession(byte* image, nint bpfObject, ConnectPathChoice? connect, OpenPath? open)
    {
        _image = image;
        _object = bpfObject;
        Connect = connect;
        OpenEvents = open;
    }

    /// <summary>Set to see libbpf's own log (such as the verifier's) on stderr; without it errors stay one line.</summary>
    public const string DebugVariable = "TRACER_DEBUG";

    /// <summary>How connect events are caught and why, null when they are not traced.</summary>
    public ConnectPathChoice? Connect { get; }

    /// <summary>How open events are caught, null when they are not traced.</summary>
    public OpenPath? OpenEvents { get; }

    /// <summary>
    /// Loads the chosen events' programs. Connect takes the kprobe path where the kernel has kprobes and falls back to
    /// the tracepoint when the kprobe programs do not load or attach, unless TRACER_CONNECT_PATH forced the path.
    /// </summary>
    public static BpfSession Open(IReadOnlySet<EventType> events, TracerConfig config)
    {
        var tracesOpen = events.Contains(EventType.Open);
        // Open's tracepoints are attached through tracefs: mounted for the attach where it is not, unmounted after.
        using var tracefs = tracesOpen ? OpenPaths.MountTracefs() : null;
        return Open(events, config, events.Contains(EventType.Connect) ? ConnectPaths.Choose() : null, EmbeddedObject,
            tracesOpen ? OpenPaths.Choose().Path : null);
    }

    /// <summary>
    /// As above with the connect and open paths already chosen (null when the event is not traced) and the object from
    /// <paramref name="openObject"/>.
    /// </summary>
    internal static BpfSession Open(IReadOnlySet<EventType> events, TracerConfig config, ConnectPathChoice? connect, Func<Stream> openObject,
        OpenPath? open = null)
    {
        try
        {
            return Load(events, config, connect, open, openObject);
        }
        catch (TracerException kprobe) when (connect is { Path: ConnectPath.Kprobe, Forced: false })
        {
            return Load(events, config, new(ConnectPath.Tracepoint, false, $"the kprobe path failed: {kprobe.Message}", FellBack: true), open, openObject);
        }
    }

    private static Stream EmbeddedObject() =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream("tracer.bpf.o")
            ?? throw new TracerException("this tracer was built without its BPF object; build it with ./build.sh --target Publish");

    private static BpfSession Load(IReadOnlySet<EventType> events, TracerConfig config, ConnectPathChoice? connect, OpenPath? open, Func<Stream> openObject)
    {
        if (Environment.GetEnvironmentVariable(DebugVariable) is null)
            LibBpf.SetPrint(0);

        using var resource = openObject();

        // libbpf may keep pointing into the ELF image until the object is closed, so it lives in native memory until then.
        var image = (byte*)NativeMemory.Alloc((nuint)resource.Length);
        resource.ReadExactly(new Span<byte>(image, (int)resource.Length));
        var bpfObject = LibBpf.ObjectOpenMem(image, (nuint)resource.Length, 0);
        if (bpfObject == 0)
        {
            var error = Marshal.GetLastSystemError();
            NativeMemory.Free(image);
            throw new TracerException($"libbpf could not open the BPF object: {LibBpf.ErrorText(error)}");
        }

        var session = new BpfSession(image, bpfObject, connect, open);
        try
        {
            config.ConnectKprobe = connect?.Path == ConnectPath.Kprobe ? 1u : 0u;
            config.OpenTracepoints = open == OpenPath.SyscallTracepoints ? 1u : 0u;
            session.Configure(events, config);
            session.LoadAndAttach();
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The programs in bpf/tracer.bpf.c that produce an event.</summary>
    private IEnumerable<string> Programs(EventType type) => type switch
    {
        EventType.Exec => ["handle_exec"],
        EventType.Connect when Connect?.Path == ConnectPath.Kprobe => ["handle_connect_entry", "handle_connect_return"],
        // handle_open_exit is x86's alone (arm64 has no open(2)): a name the object lacks is simply not loaded.
        EventType.Open when OpenEvents == OpenPath.SyscallTracepoints => ["handle_openat_exit", "handle_openat2_exit", "handle_open_exit"],
        _ => ["handle_sys_exit"],
    };

    public int MapFd(string name)
    {
        var fd = LibBpf.ObjectFindMapFdByName(_object, name);
        return fd >= 0 ? fd : throw new TracerException($"the BPF object has no map '{name}'");
    }

    /// <summary>Before load: only the chosen events' programs are loaded, and the filters become read-only data the verifier sees.</summary>
    private void Configure(IReadOnlySet<EventType> events, TracerConfig config)
    {
        for (var program = LibBpf.ObjectNextProgram(_object, 0); program != 0; program = LibBpf.ObjectNextProgram(_object, program))
        {
            var name = LibBpf.ProgramNameOf(program);
            var wanted = events.Any(e => Programs(e).Contains(name));
            LibBpf.ProgramSetAutoload(program, wanted);
        }

        var rodata = FindMap(".rodata");
        var error = LibBpf.MapSetInitialValue(rodata, &config, (nuint)sizeof(TracerConfig));
        if (error < 0)
            throw new TracerException($"could not set the filters: {LibBpf.ErrorText(error)}");
    }

    /// <summary>Internal maps are named after the object with a suffix (such as "tracer_b.rodata"), so they are found by suffix.</summary>
    private nint FindMap(string suffix)
    {
        for (var map = LibBpf.ObjectNextMap(_object, 0); map != 0; map = LibBpf.ObjectNextMap(_object, map))
        {
            if (LibBpf.MapNameOf(map).EndsWith(suffix, StringComparison.Ordinal))
                return map;
        }
        throw new TracerException($"the BPF object has no map '{suffix}'");
    }

    /// <summary>Events the kernel dropped because the ring buffer was full (map "lost").</summary>
    public ulong LostEvents()
    {
        uint key = 0;
        ulong value = 0;
        var error = LibBpf.MapLookupElem(MapFd("lost"), &key, &value);
        return error == 0 ? value : throw new TracerException($"could not read the lost-event count: {LibBpf.ErrorText(error)}");
    }

    private void LoadAndAttach()
    {
        var error = LibBpf.ObjectLoad(_object);
        // A kernel older than its version says (backports aside) shows as a refused map, not as a version.
        if (error < 0 && LibBpf.ProbeMapType(LibBpf.MapTypeRingBuffer, 0) == 0)
            throw new TracerException($"this kernel has no BPF ring buffer; {SystemChecks.MinimumKernelText}", ExitCode.KernelTooOld);
        if (error < 0)
            throw new TracerException($"the kernel refused the BPF programs: {LibBpf.ErrorText(error)} ({DebugVariable}=1 shows libbpf's log)");

        for (var program = LibBpf.ObjectNextProgram(_object, 0); program != 0; program = LibBpf.ObjectNextProgram(_object, program))
        {
            if (!LibBpf.ProgramAutoload(program))
                continue;
            var link = LibBpf.ProgramAttach(program);
            if (link == 0)
            {
                var attachError = Marshal.GetLastSystemError();
                throw new TracerException($"could not attach {LibBpf.ProgramNameOf(program)}: {LibBpf.ErrorText(attachError)} ({DebugVariable}=1 shows libbpf's log)");
            }
            _links.Add(link);
        }
    }

    public void Dispose()
    {
        foreach (var link in _links)
            LibBpf.LinkDestroy(link);
        _links.Clear();
        LibBpf.ObjectClose(_object);
        NativeMemory.Free(_image);
    }
}

/// <summary>An error the user can act on: printed as one line, with its exit code.</summary>
internal sealed class TracerException(string message, ExitCode exitCode = ExitCode.Error) : Exception(message)
{
    public ExitCode ExitCode { get; } = exitCode;
}
