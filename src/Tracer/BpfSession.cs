using System.Reflection;
using System.Runtime.InteropServices;

namespace Tracer;

/// <summary>The tracer's BPF object, loaded into the kernel with every program attached; disposing detaches and unloads it.</summary>
internal sealed unsafe class BpfSession : IDisposable
{
    private readonly nint _object;
    private readonly List<nint> _links = [];
    private readonly byte* _image;

    private BpfSession(byte* image, nint bpfObject)
    {
        _image = image;
        _object = bpfObject;
    }

    public static BpfSession Open()
    {
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("tracer.bpf.o")
            ?? throw new TracerException("this tracer was built without its BPF object; build it with ./build.sh --target Publish");

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

        var session = new BpfSession(image, bpfObject);
        try
        {
            session.LoadAndAttach();
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public int MapFd(string name)
    {
        var fd = LibBpf.ObjectFindMapFdByName(_object, name);
        return fd >= 0 ? fd : throw new TracerException($"the BPF object has no map '{name}'");
    }

    private void LoadAndAttach()
    {
        var error = LibBpf.ObjectLoad(_object);
        if (error < 0)
            throw new TracerException($"the kernel refused the BPF programs: {LibBpf.ErrorText(error)}{PermissionHint(error)}");

        for (var program = LibBpf.ObjectNextProgram(_object, 0); program != 0; program = LibBpf.ObjectNextProgram(_object, program))
        {
            var link = LibBpf.ProgramAttach(program);
            if (link == 0)
            {
                var attachError = Marshal.GetLastSystemError();
                throw new TracerException($"could not attach {LibBpf.ProgramNameOf(program)}: {LibBpf.ErrorText(attachError)}{PermissionHint(-attachError)}");
            }
            _links.Add(link);
        }
    }

    private static string PermissionHint(int error) =>
        error is -1 or -13 ? " (run as root, or grant CAP_BPF and CAP_PERFMON)" : "";

    public void Dispose()
    {
        foreach (var link in _links)
            LibBpf.LinkDestroy(link);
        _links.Clear();
        LibBpf.ObjectClose(_object);
        NativeMemory.Free(_image);
    }
}

/// <summary>An error the user can act on: printed as one line, exit code 1.</summary>
internal sealed class TracerException(string message) : Exception(message);
