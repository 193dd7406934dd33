using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tracer;

/// <summary>
/// The libbpf calls the tracer makes. Pointer-returning calls return NULL and set errno;
/// int-returning calls return -errno.
/// </summary>
internal static unsafe partial class LibBpf
{
    public const string Library = "libbpf.so.1";

    [LibraryImport(Library, EntryPoint = "bpf_object__open_mem", SetLastError = true)]
    public static partial nint ObjectOpenMem(void* buffer, nuint size, nint options);

    /// <summary>
    /// The start of libbpf's struct bpf_object_open_opts, up to the field the tracer sets; libbpf takes a shorter
    /// struct than its own (sz says how long).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ObjectOpenOptions
    {
        public nuint Size;
        public nint ObjectName;
        public byte RelaxedMaps;
        public nint PinRootPath;
        public uint Unused;
        public nint Kconfig;
        /// <summary>The BTF to relocate the programs against instead of the kernel's (a path).</summary>
        public nint BtfCustomPath;
    }

    [LibraryImport(Library, EntryPoint = "bpf_object__load")]
    public static partial int ObjectLoad(nint bpfObject);

    [LibraryImport(Library, EntryPoint = "bpf_object__close")]
    public static partial void ObjectClose(nint bpfObject);

    [LibraryImport(Library, EntryPoint = "bpf_object__next_program")]
    public static partial nint ObjectNextProgram(nint bpfObject, nint previous);

    [LibraryImport(Library, EntryPoint = "bpf_program__name")]
    public static partial byte* ProgramName(nint program);

    [LibraryImport(Library, EntryPoint = "bpf_program__set_autoload")]
    public static partial int ProgramSetAutoload(nint program, [MarshalAs(UnmanagedType.U1)] bool autoload);

    [LibraryImport(Library, EntryPoint = "bpf_program__autoload")]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool ProgramAutoload(nint program);

    [LibraryImport(Library, EntryPoint = "bpf_object__next_map")]
    public static partial nint ObjectNextMap(nint bpfObject, nint previous);

    [LibraryImport(Library, EntryPoint = "bpf_map__name")]
    public static partial byte* MapName(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__set_initial_value")]
    public static partial int MapSetInitialValue(nint map, void* data, nuint size);

    [LibraryImport(Library, EntryPoint = "bpf_map_lookup_elem")]
    public static partial int MapLookupElem(int mapFd, void* key, void* value);

    /// <summary>Replaces libbpf's logger (by default: everything to stderr); 0 silences it.</summary>
    [LibraryImport(Library, EntryPoint = "bpf_map_get_next_key")]
    public static partial int MapGetNextKey(int mapFd, void* key, void* nextKey);

    [LibraryImport(Library, EntryPoint = "bpf_map_delete_elem")]
    public static partial int MapDeleteElem(int mapFd, void* key);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_map_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ObjectFindMapByName(nint bpfObject, string name);

    [LibraryImport(Library, EntryPoint = "bpf_map__key_size")]
    public static partial uint MapKeySize(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_map__value_size")]
    public static partial uint MapValueSize(nint map);

    [LibraryImport(Library, EntryPoint = "libbpf_set_print")]
    public static partial nint SetPrint(nint printer);

    [LibraryImport(Library, EntryPoint = "libbpf_major_version")]
    public static partial uint MajorVersion();

    [LibraryImport(Library, EntryPoint = "libbpf_minor_version")]
    public static partial uint MinorVersion();

    [LibraryImport(Library, EntryPoint = "bpf_program__attach", SetLastError = true)]
    public static partial nint ProgramAttach(nint program);

    [LibraryImport(Library, EntryPoint = "bpf_link__destroy")]
    public static partial int LinkDestroy(nint link);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_map_fd_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ObjectFindMapFdByName(nint bpfObject, string name);

    [LibraryImport(Library, EntryPoint = "ring_buffer__new", SetLastError = true)]
    public static partial nint RingBufferNew(int mapFd, delegate* unmanaged[Cdecl]<nint, nint, nuint, int> callback, nint context, nint options);

    [LibraryImport(Library, EntryPoint = "ring_buffer__poll")]
    public static partial int RingBufferPoll(nint ringBuffer, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "ring_buffer__consume")]
    public static partial int RingBufferConsume(nint ringBuffer);

    [LibraryImport(Library, EntryPoint = "ring_buffer__free")]
    public static partial void RingBufferFree(nint ringBuffer);

    /// <summary>1 when the kernel can create maps of this type, 0 when it cannot, &lt;0 on error.</summary>
    [LibraryImport(Library, EntryPoint = "libbpf_probe_bpf_map_type")]
    public static partial int ProbeMapType(int mapType, nint options);

    public const int MapTypeRingBuffer = 27; // BPF_MAP_TYPE_RINGBUF

    /// <summary>1 when programs of this type may call the helper, 0 when they may not, &lt;0 on error.</summary>
    [LibraryImport(Library, EntryPoint = "libbpf_probe_bpf_helper")]
    public static partial int ProbeHelper(int programType, int helper, nint options);

    public const int ProgramTypeTracepoint = 5; // BPF_PROG_TYPE_TRACEPOINT
    public const int HelperTaskPtRegs = 175; // BPF_FUNC_task_pt_regs

    [LibraryImport(Library, EntryPoint = "libbpf_strerror")]
    private static partial int StrError(int error, byte* buffer, nuint size);

    /// <summary>libbpf's text for an error code (positive or negative errno, or a libbpf error).</summary>
    public static string ErrorText(int error)
    {
        var buffer = stackalloc byte[256];
        StrError(Math.Abs(error), buffer, 256);
        return Marshal.PtrToStringUTF8((nint)buffer) ?? $"error {error}";
    }

    public static string ProgramNameOf(nint program) => Marshal.PtrToStringUTF8((nint)ProgramName(program)) ?? "?";

    public static string MapNameOf(nint map) => Marshal.PtrToStringUTF8((nint)MapName(map)) ?? "?";
}

/// <summary>
/// Makes the P/Invokes find libbpf, libelf and libz in lib/ beside the executable before the system's:
/// loading lib/'s libelf and libz first means libbpf's own dependencies resolve to them.
/// </summary>
internal static class NativeLibraries
{
    private static readonly string[] Dependencies = ["libz.so.1", "libelf.so.1"];

    public static string BundledDirectory => Path.Combine(AppContext.BaseDirectory, "lib");

    /// <summary>The file a loaded library was mapped from, as the kernel sees it (so it tells bundled from system copies).</summary>
    public static string? LoadedFile(string soname) =>
        File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6)
            .Select(fields => fields[5].Trim())
            .FirstOrDefault(path => Path.GetFileName(path).StartsWith(soname, StringComparison.Ordinal));

    [ModuleInitializer]
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, (name, _, _) =>
        {
            if (name != LibBpf.Library || !File.Exists(Path.Combine(BundledDirectory, name)))
                return 0;
            foreach (var dependency in Dependencies.Where(d => File.Exists(Path.Combine(BundledDirectory, d))))
                NativeLibrary.Load(Path.Combine(BundledDirectory, dependency));
            return NativeLibrary.Load(Path.Combine(BundledDirectory, name));
        });
}
