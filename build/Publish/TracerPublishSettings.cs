using TracerBuild.Native;
using TracerBuild.Versioning;

namespace TracerBuild.Publish;

/// <summary>How the tracer is restored and published for one arch: the same properties for both steps.</summary>
/// <param name="NativeAot">For a self-contained tracer: NativeAOT (a native executable; another arch's is cross-linked with
/// Debian's cross toolchain), else a trimmed single file on the JIT.</param>
/// <param name="Native">What a NativeAOT tracer links in (libbpf, libelf, zlib) and links against (the sysroot).</param>
/// <param name="KernelBtfFolder">The arch's minimized kernel BTF (the KernelBtf target), carried by the tracer.</param>
public sealed record TracerPublishSettings(Arch Arch, bool SelfContained, bool NativeAot, string Configuration, string Version, string BpfObject, string RestoreDirectory, NativeLibraries Native, string KernelBtfFolder)
{
    /// <summary>A NativeAOT tracer links libbpf, libelf and zlib in; any other kind loads them from the tarball's lib/.</summary>
    public bool LinksNatively => SelfContained && NativeAot;

    public IReadOnlyList<string> MsBuildArguments =>
    [
        $"-p:Configuration={Configuration}",
        // The singular property, not -r: `dotnet restore -r` asks for every pack a self-contained build could need.
        $"-p:RuntimeIdentifier={Arch.Rid}",
        // Each arch keeps its own assets file, so all arches restore up front and publish with --no-restore.
        $"-p:MSBuildProjectExtensionsPath={RestoreDirectory}/",
        $"-p:SelfContained={SelfContained}",
        // Single file and trimming need the arch's runtime pack, so only self-contained builds use them; NativeAOT trims
        // by itself and is one file by nature. Restore sees PublishAot too, so it fetches the ILCompiler packs.
        $"-p:PublishAot={SelfContained && NativeAot}",
        $"-p:PublishSingleFile={SelfContained && !NativeAot}",
        $"-p:PublishTrimmed={SelfContained}",
        $"-p:UseAppHost={SelfContained}",
        // Reproducible: no checkout paths in the binaries, no PDB to ship.
        "-p:ContinuousIntegrationBuild=true",
        "-p:DebugType=none",
        $"-p:Version={ReleaseVersion.WithoutMetadata(Version)}",
        $"-p:InformationalVersion={Version}",
        $"-p:BpfObject={BpfObject}",
        // The gzipped minimized BTF of each kernel the lock pins for the arch, for kernels without their own.
        $"-p:KernelBtfFolder={KernelBtfFolder}",
        // MSBuild retries a failed copy 10 times a second apart (for Windows' virus scanners): on a full disk that is
        // 10 s per file before the failure, here nothing but a wait.
        "-p:CopyRetryCount=0",
        .. LinksNatively ? [$"-p:StaticLibraries={Native.Static}", $"-p:SysRoot={Native.SysrootFolder}"] : Array.Empty<string>(),
    ];
}
