using System.Reflection;
using System.Runtime.InteropServices;

namespace Tracer.Bpf;

/// <summary>The tracer's BPF object, loaded into the kernel with the chosen events' programs attached; disposing detaches and unloads it.</summary>
internal sealed unsafe class BpfSession : IDisposable
{
    private readonly nint _object;
    private readonly List<nint> _links = [];
    private readonly byte* _image;
    private readonly IReadOnlySet<EventType> _events;

    private BpfSession(byte* image, nint bpfObject, IReadOnlySet<EventType> events, HookChoice<ConnectHook>? connect, FileHook? open, ExecHook? exec,
        ModuleHook? module, SocketHook? socket)
    {
        Exec = exec;
        Module = module;
        Socket = socket;
        _image = image;
        _events = events;
        _object = bpfObject;
        Connect = connect;
        File = open;
    }

    /// <summary>Set to see libbpf's own log (such as the verifier's) on stderr; without it errors stay one line.</summary>
    public const string DebugVariable = "TRACER_DEBUG";

    /// <summary>How connect events are caught and why, null when they are not traced.</summary>
    public HookChoice<ConnectHook>? Connect { get; }

    /// <summary>How open, unlink and file_io events are caught, null when none is traced.</summary>
    public FileHook? File { get; }

    /// <summary>Each traced capability's hook, by name, as <c>tracer monitor</c> reports them.</summary>
    public IReadOnlyList<(string Capability, string Hook)> Hooks
    {
        get
        {
            var hooks = new List<(string, string)>();
            if (Exec is { } exec)
                hooks.Add((ExecHooks.Set.Capability, ExecHooks.Set[exec].Name));
            if (File is { } file)
                hooks.Add((FileHooks.Set.Capability, FileHooks.Set[file].Name));
            if (Connect is { } connect)
                hooks.Add((ConnectHooks.Set.Capability, connect.Hook.Name));
            if (Socket is { } socket)
                hooks.Add((SocketHooks.Set.Capability, SocketHooks.Set[socket].Name));
            if (Module is { } module)
                hooks.Add((ModuleHooks.Set.Capability, ModuleHooks.Set[module].Name));
            return hooks;
        }
    }

    /// <summary>How failed execs are caught, null when execs are not traced.</summary>
    public ExecHook? Exec { get; }

    /// <summary>How module events are caught, null when they are not traced.</summary>
    public ModuleHook? Module { get; }

    /// <summary>How the socket syscalls are caught (accepts, also for the flows tcp_close reports; UDP; DNS), null when none is traced.</summary>
    public SocketHook? Socket { get; }

    /// <summary>
    /// Loads the chosen events' programs. Connect takes the kprobe hook where the kernel has kprobes and falls back to
    /// the tracepoint when the kprobe programs do not load or attach, unless TRACER_CONNECT_HOOK forced the hook.
    /// </summary>
    public static BpfSession Load(IReadOnlySet<EventType> events, TracerConfig config)
    {
        // Tracepoints are attached through tracefs: mounted for the attach where it is not, unmounted after.
        using var tracefs = Tracefs.MountForAttach();
        return Load(events, config, events.Contains(EventType.Connect) ? ConnectHooks.Set.Choose() : null, EmbeddedObject,
            FileEvents.Any(events.Contains) ? FileHooks.Set.Choose().Kind : null,
            events.Contains(EventType.Exec) ? ExecHooks.Set.Choose().Kind : null, events.Contains(EventType.Module) ? ModuleHooks.Set.Choose().Kind : null,
            SocketEvents.Any(events.Contains) ? SocketHooks.Set.Choose().Kind : null);
    }

    /// <summary>The events caught at the file syscalls, all through the hook <see cref="FileHooks"/> chooses.</summary>
    private static readonly EventType[] FileEvents = [EventType.Open, EventType.Unlink, EventType.FileIo];

    /// <summary>The events caught at the socket syscalls, all through the hook <see cref="SocketHooks"/> chooses.</summary>
    private static readonly EventType[] SocketEvents = [EventType.Accept, EventType.TcpClose, EventType.Udp, EventType.Dns];

    /// <summary>Why this kernel cannot trace an event at all, or null when it can.</summary>
    public static string? Unavailable(EventType type) => type switch
    {
        EventType.Module => ModuleHooks.Set.NoHook(),
        _ => null,
    };

    /// <summary>
    /// As above with the connect and open hooks already chosen (null when the event is not traced) and the object from
    /// <paramref name="openObject"/>.
    /// </summary>
    internal static BpfSession Load(IReadOnlySet<EventType> events, TracerConfig config, HookChoice<ConnectHook>? connect, Func<Stream> openObject,
        FileHook? open = null, ExecHook? exec = null, ModuleHook? module = null, SocketHook? socket = null)
    {
        try
        {
            return LoadWith(events, config, connect, open, exec, module, socket, openObject);
        }
        catch (TracerException kprobe) when (connect is { Kind: ConnectHook.Kprobe, Forced: false })
        {
            return LoadWith(events, config, ConnectHooks.Set.After(connect, kprobe.Message), open, exec, module, socket, openObject);
        }
    }

    private static Stream EmbeddedObject() =>
        Assembly.GetExecutingAssembly().GetManifestResourceStream("tracer.bpf.o")
            ?? throw new TracerException("this tracer was built without its BPF object; build it with ./build.sh --target Publish");

    private static BpfSession LoadWith(IReadOnlySet<EventType> events, TracerConfig config, HookChoice<ConnectHook>? connect, FileHook? open, ExecHook? exec,
        ModuleHook? module, SocketHook? socket, Func<Stream> openObject)
    {
        if (Environment.GetEnvironmentVariable(DebugVariable) is null)
            LibBpf.SetPrint(0);

        using var resource = openObject();

        // libbpf may keep pointing into the ELF image until the object is closed, so it lives in native memory until then.
        var image = (byte*)NativeMemory.Alloc((nuint)resource.Length);
        resource.ReadExactly(new Span<byte>(image, (int)resource.Length));
        var btfPath = ProgramBtf.CustomPath is { } path ? Marshal.StringToCoTaskMemUTF8(path) : 0;
        var options = new LibBpf.ObjectOpenOptions { Size = (nuint)sizeof(LibBpf.ObjectOpenOptions), BtfCustomPath = btfPath };
        // libbpf copies the path when it opens the object.
        var bpfObject = LibBpf.ObjectOpenMem(image, (nuint)resource.Length, (nint)(&options));
        var openError = Marshal.GetLastSystemError();
        Marshal.FreeCoTaskMem(btfPath);
        if (bpfObject == 0)
        {
            var error = openError;
            NativeMemory.Free(image);
            throw new TracerException($"libbpf could not open the BPF object: {LibBpf.ErrorText(error)}");
        }

        var session = new BpfSession(image, bpfObject, events, connect, open, exec, module, socket);
        try
        {
            config.ConnectKprobe = connect?.Kind == ConnectHook.Kprobe ? 1u : 0u;
            config.OpenTracepoints = open == FileHook.Syscall ? 1u : 0u;
            config.SocketTracepoints = socket == SocketHook.Syscall ? 1u : 0u;
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

    /// <summary>The programs that produce an event with the hooks chosen (names from the objects, generated in Events.g.cs).</summary>
    private IEnumerable<string> Programs(EventType type) => type switch
    {
        EventType.Exec when Exec == ExecHook.Syscall =>
            [BpfPrograms.HandleExec, BpfPrograms.HandleExecveEnter, BpfPrograms.HandleExecveExit, BpfPrograms.HandleExecveatEnter, BpfPrograms.HandleExecveatExit],
        EventType.Exec => [BpfPrograms.HandleExec, ProgramBtf.SysExit(BpfPrograms.HandleExecSysExit)],
        EventType.Module when Module == ModuleHook.Syscall =>
        [
            BpfPrograms.HandleModuleLoad, BpfPrograms.HandleFinitModuleEnter, BpfPrograms.HandleFinitModuleExit, BpfPrograms.HandleInitModuleEnter,
            BpfPrograms.HandleInitModuleExit, BpfPrograms.HandleDeleteModuleEnter, BpfPrograms.HandleDeleteModuleExit,
        ],
        EventType.Module => [BpfPrograms.HandleModuleLoadAlone, ProgramBtf.SysExit(BpfPrograms.HandleModuleSysExit)],
        EventType.Connect when Connect?.Kind == ConnectHook.Kprobe => [BpfPrograms.HandleConnectEntry, BpfPrograms.HandleConnectReturn],
        // handle_open_exit is x86's alone: arm64 has no open(2).
        EventType.Open when File == FileHook.Syscall => [BpfPrograms.HandleOpenatExitBtf, BpfPrograms.HandleOpenat2ExitBtf, BpfPrograms.HandleOpenExitBtf],
        // handle_unlink_exit and handle_rmdir_exit are x86's alone: arm64 has only unlinkat.
        EventType.Unlink when File == FileHook.Syscall => [BpfPrograms.HandleUnlinkatExitBtf, BpfPrograms.HandleUnlinkExitBtf, BpfPrograms.HandleRmdirExitBtf],
        EventType.FileIo when File == FileHook.Syscall =>
        [
            BpfPrograms.HandleReadExitBtf, BpfPrograms.HandlePread64ExitBtf, BpfPrograms.HandleReadvExitBtf, BpfPrograms.HandleWriteExitBtf,
            BpfPrograms.HandlePwrite64ExitBtf, BpfPrograms.HandleWritevExitBtf, BpfPrograms.HandleSendfileExitBtf, BpfPrograms.HandleCloseEnter,
            BpfPrograms.HandleDup2Exit, BpfPrograms.HandleDup3Exit,
        ],
        EventType.Open or EventType.Unlink or EventType.FileIo => [ProgramBtf.SysExit(BpfPrograms.HandleFileSysExit)],
        EventType.Accept or EventType.TcpClose when Socket == SocketHook.Syscall =>
            [BpfPrograms.HandleAccept4Exit, BpfPrograms.HandleAcceptExit, .. TcpCloseProgram(type)],
        EventType.Accept or EventType.TcpClose => [ProgramBtf.SysExit(BpfPrograms.HandleNetSysExit), .. TcpCloseProgram(type)],
        EventType.Udp when Socket == SocketHook.Syscall =>
        [
            BpfPrograms.HandleUdpSendtoExitBtf, BpfPrograms.HandleUdpRecvfromExitBtf, BpfPrograms.HandleUdpSendmsgExitBtf, BpfPrograms.HandleUdpRecvmsgExitBtf,
            BpfPrograms.HandleUdpSendmmsgExitBtf, BpfPrograms.HandleUdpRecvmmsgExitBtf, BpfPrograms.HandleUdpWriteExitBtf, BpfPrograms.HandleUdpReadExitBtf,
            BpfPrograms.HandleUdpCloseEnter, BpfPrograms.HandleUdpDup2Exit, BpfPrograms.HandleUdpDup3Exit,
        ],
        EventType.Udp => [ProgramBtf.SysExit(BpfPrograms.HandleUdpSysExit)],
        EventType.Dns when Socket == SocketHook.Syscall =>
        [
            BpfPrograms.HandleDnsSendtoExitBtf, BpfPrograms.HandleDnsRecvfromExitBtf, BpfPrograms.HandleDnsSendmsgExitBtf, BpfPrograms.HandleDnsRecvmsgExitBtf,
            BpfPrograms.HandleDnsSendmmsgExitBtf, BpfPrograms.HandleDnsRecvmmsgExitBtf, BpfPrograms.HandleDnsWriteExitBtf, BpfPrograms.HandleDnsReadExitBtf,
        ],
        EventType.Dns => [ProgramBtf.SysExit(BpfPrograms.HandleDnsSysExit)],
        EventType.Connect => [ProgramBtf.SysExit(BpfPrograms.HandleNetSysExit)],
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>A flow's close comes from the socket's state changes, its start from connect's SYN_SENT or an accept.</summary>
    private static string[] TcpCloseProgram(EventType type) => type == EventType.TcpClose ? [BpfPrograms.HandleSockSetState] : [];

    /// <summary>A reader of the events the programs write, handing each record to <paramref name="onRecord"/>.</summary>
    public RingBuffer ReadEvents(RingBuffer.RecordHandler onRecord) => new(MapFd(BpfMaps.Events), onRecord);

    private int MapFd(string name)
    {
        var fd = LibBpf.ObjectFindMapFdByName(_object, name);
        return fd >= 0 ? fd : throw new TracerException($"the BPF object has no map '{name}'");
    }

    /// <summary>
    /// Before load: only the chosen events' programs are loaded, and the filters become read-only data the verifier sees.
    /// A program asked for that the object lacks is an error, unless only some arches have it.
    /// </summary>
    private void Configure(IReadOnlySet<EventType> events, TracerConfig config)
    {
        var wanted = events.SelectMany(Programs).ToHashSet();
        var found = new HashSet<string>();
        for (var program = LibBpf.ObjectNextProgram(_object, 0); program != 0; program = LibBpf.ObjectNextProgram(_object, program))
        {
            var name = LibBpf.ProgramNameOf(program);
            found.Add(name);
            LibBpf.ProgramSetAutoload(program, wanted.Contains(name));
        }
        if (wanted.Except(found).FirstOrDefault(name => !BpfPrograms.ArchSpecific.Contains(name)) is { } missing)
            throw new TracerException($"the BPF object has no program '{missing}': this tracer was built from a different bpf/ than its object");
        // The hooks whose programs need the kernel's BTF are unavailable without it (ProgramBtf.KernelBtfMissing).
        if (!ProgramBtf.KernelOwn && wanted.FirstOrDefault(name => name.EndsWith(ProgramBtf.Suffix, StringComparison.Ordinal)) is { } needsBtf)
            throw new InvalidOperationException($"{needsBtf} needs the kernel's BTF, which this kernel lacks");

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

    /// <summary>
    /// Reports the entries of a map of totals (its values are records that start with a totals_header) through
    /// <paramref name="onRecord"/>, as if read from the ring buffer: at exit every entry, then removed; otherwise every
    /// entry, those without a call for <paramref name="idleNs"/> as idle, then removed.
    /// </summary>
    public void ReportTotals(ulong idleNs, bool exit, RingBuffer.RecordHandler onRecord)
    {
        var now = Output.Clock.BootNanoseconds();
        foreach (var (type, map) in TotalsMaps)
        {
            if (_events.Contains(type))
                ReportTotals(map, now, idleNs, exit, onRecord);
        }
    }

    /// <summary>The events whose programs count in a map of totals, reported at close by the programs and here otherwise.</summary>
    private static readonly (EventType Type, string Map)[] TotalsMaps = [(EventType.FileIo, BpfMaps.FileTotals), (EventType.Udp, BpfMaps.UdpTotals)];

    /// <summary>A descriptor with UDP flows closed (a udp_close record): its flows, reported as closed and removed.</summary>
    public void ReportUdpClose(UdpCloseEvent* closed, RingBuffer.RecordHandler onRecord)
    {
        var (tgid, fd) = (closed->Pid, closed->Fd);
        ReportTotals(BpfMaps.UdpTotals, Output.Clock.BootNanoseconds(), 0, exit: false, onRecord,
            key => ((UdpKey*)key)->Tgid == tgid && ((UdpKey*)key)->Fd == fd, FlushReason.Close);
    }

    private void ReportTotals(string mapName, ulong nowNs, ulong idleNs, bool exit, RingBuffer.RecordHandler onRecord,
        Func<nint, bool>? only = null, FlushReason? reason = null)
    {
        var map = LibBpf.ObjectFindMapByName(_object, mapName);
        if (map == 0)
            throw new TracerException($"the BPF object has no map '{mapName}'");
        var fd = MapFd(mapName);
        var keySize = (int)LibBpf.MapKeySize(map);
        var value = new byte[LibBpf.MapValueSize(map)];
        // Keys first: removing entries while walking a hash map restarts the walk.
        var keys = new List<byte[]>();
        var next = new byte[keySize];
        for (byte[]? key = null; ; key = keys[^1])
        {
            fixed (byte* previous = key, nextKey = next)
            {
                if (LibBpf.MapGetNextKey(fd, previous, nextKey) != 0)
                    break;
            }
            keys.Add((byte[])next.Clone());
        }
        foreach (var key in keys)
        {
            fixed (byte* k = key, v = value)
            {
                if (only is not null && !only((nint)k))
                    continue;
                if (LibBpf.MapLookupElem(fd, k, v) != 0)
                    continue; // closed meanwhile: the program reported it
                var totals = (TotalsHeader*)v;
                var idle = nowNs - totals->LastNs >= idleNs;
                totals->Reason = reason ?? (exit ? FlushReason.Exit : idle ? FlushReason.Idle : FlushReason.Interval);
                totals->BootNs = nowNs;
                if (exit || idle || reason is not null)
                    LibBpf.MapDeleteElem(fd, k);
                onRecord(v, (nuint)value.Length);
            }
        }
    }

    /// <summary>Events the kernel dropped because the ring buffer was full (map "lost").</summary>
    public ulong LostEvents()
    {
        uint key = 0;
        ulong value = 0;
        var error = LibBpf.MapLookupElem(MapFd(BpfMaps.Lost), &key, &value);
        return error == 0 ? value : throw new TracerException($"could not read the lost-event count: {LibBpf.ErrorText(error)}");
    }

    private void LoadAndAttach()
    {
        var error = LibBpf.ObjectLoad(_object);
        // A kernel older than its version says (backports aside) shows as a refused map, not as a version.
        if (error < 0 && LibBpf.ProbeMapType(LibBpf.MapTypeRingBuffer, 0) == 0)
            throw new TracerException($"this kernel has no BPF ring buffer; {Checks.SystemChecks.MinimumKernelText}", ExitCode.KernelTooOld);
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
