namespace TracerBuild.Native;

/// <summary>
/// The libbpf release the tracer links in, pinned by its sha256: upstream's release tarball, as Debian's archive keeps it
/// (the .orig.tar.gz of its libbpf source package), so the archive that serves the sysroot serves it too.
/// </summary>
public static class LibbpfSource
{
    public const string Version = "1.7.0";
    public const string Sha256 = "7ab5feffbf78557f626f2e3e3204788528394494715a30fc2070fcddc2051b7b";
    public static string FileName => $"libbpf_{Version}.orig.tar.gz";
    /// <summary>The folder the tarball unpacks to.</summary>
    public static string TopFolder => $"libbpf-{Version}";
    /// <summary>The cached tarball, downloaded first (the way vmlinux.h is: retried, timed out) when missing or not the pinned bytes.</summary>
    public static AbsolutePath Ensure(AbsolutePath cache, string archiveUri, CancellationToken cancellation)
    {
        var file = cache / "libbpf" / FileName;
        if (file.FileExists() && Engine.Sha256.OfFile(file) == Sha256)
            return file;

        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var pool = new Vmlinux.HttpMirror($"{archiveUri.TrimEnd('/')}/pool/main/libb/libbpf", http, Vmlinux.FetchPolicy.Default, cancellation,
            $"The build links libbpf {Version} from that source; point --debian-mirror at a Debian archive that has it.");
        Log.Line($"Downloading libbpf {Version}: {pool.Describe(FileName)}");
        var bytes = pool.Fetch(FileName);
        var actual = Engine.Sha256.Of(bytes);
        if (actual != Sha256)
            throw new BuildFailedException($"{pool.Describe(FileName)} has sha256 {actual}, not the pinned {Sha256} of libbpf {Version}: refusing it.");
        file.Parent.CreateDirectory();
        AtomicFile.Write(file, bytes);
        return file;
    }
}
