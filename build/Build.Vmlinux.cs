using TracerBuild;
using TracerBuild.Engine;

partial class Build
{
    Target Vmlinux => _ => _
        .Description("Fetches each arch's pinned vmlinux.h (sha256-verified, cached)")
        .Executes(() =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("tracer-build");
            var provider = new VmlinuxProvider(VmlinuxMirror, CacheDirectory, http);
            foreach (var arch in Arches)
            {
                var header = provider.Get(Lock, arch);
                var staged = Path.Combine(VmlinuxIncludeDirectory(arch), "vmlinux.h");
                Directory.CreateDirectory(Path.GetDirectoryName(staged)!);
                File.Copy(header, staged, overwrite: true);
            }
        });

    /// <summary>The folder holding the arch's vmlinux.h, for clang's -I.</summary>
    string VmlinuxIncludeDirectory(Arch arch) => Path.Combine(ObjDirectory, "vmlinux", arch.VmlinuxDir);
}
