using TracerBuild.Native;

namespace TracerBuild.Vm;

/// <summary>
/// udppeer.c built static for an arch against the sysroot the tracer links against (its libc.a): the VM's UDP server,
/// client and DNS responder, which busybox lacks.
/// </summary>
public static class UdpPeer
{
    public static void Build(Arch arch, string source, NativeLibraries native, string output)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        Programs.Run("clang", [$"--target={arch.GnuTriplet}", $"--sysroot={native.SysrootFolder}", "-static", "-O2", "-Wall", "-Werror", source, "-o", output], echo: false);
    }
}
