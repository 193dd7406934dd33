using TracerBuild.KernelBtf;
using TracerBuild.Vm;

namespace TracerBuild.Tests;

/// <summary>
/// ./build.sh --target KernelBtf in a scratch clone with this user's cache: one loadable file per pinned kernel, up to date
/// the second time, made again for a changed BPF object, and nothing in the folder but the lock's kernels.
/// </summary>
[Collection(BuildScriptCollection.Name)]
public sealed class KernelBtfTargetTests : IDisposable
{
    private readonly TaggedScratchClone _clone = new();

    public void Dispose() => _clone.Dispose();

    [Fact]
    public void Every_pinned_kernel_gets_a_minimized_btf_that_is_remade_only_for_a_changed_object()
    {
        var kernelLock = KernelBtfLock.Load(Path.Combine(_clone.Root, "bpf", "btf.lock.json"));
        var kernels = Arch.All.SelectMany(a => kernelLock.For(a).Select(k => (Arch: a, k.Kernel, k.Entry))).ToList();
        var cache = new KernelBtfCache(AbsolutePath.Of(KernelBtfPackageTests.UserCache));
        var missing = kernels.FirstOrDefault(k =>
            !KernelBtfCache.Holds(cache.PathOf(k.Arch, k.Entry), k.Entry.Sha256) && !File.Exists(KernelBtfPackageTests.CachedPackage(k.Arch, k.Kernel, k.Entry)));
        Assert.SkipWhen(missing.Entry is not null, $"Neither the BTF nor the package of {missing.Entry?.Package} {missing.Entry?.Version} is cached: {KernelBtfPackageTests.HowToCache}.");
        ProcessResult KernelBtf()
        {
            var result = _clone.BuildScript(new Dictionary<string, string>(), "--target", "KernelBtf", "--arch", "all", "--vmlinux-mirror", Repository.VmlinuxMirror);
            Assert.True(result.ExitCode == 0, result.Output);
            return result;
        }
        string Minimized(Arch arch, string release) => Path.Combine(_clone.Root, "artifacts", "obj", "btf", arch.Name, $"{release}.btf");

        Assert.Matches(@"(?m)^KernelBtf\s+Succeeded", KernelBtf().Output);
        foreach (var (arch, _, entry) in kernels)
            Assert.Contains("STRUCT '", Programs.Run("bpftool", ["btf", "dump", "file", Minimized(arch, entry.Release), "format", "raw"], echo: false).Output);

        Assert.Matches(@"(?m)^KernelBtf\s+UpToDate", KernelBtf().Output);

        // A file the lock does not name (one it dropped) makes the folder differ from what the last run left: it goes.
        var stale = Minimized(Arch.X64, "4.19.0-27-cloud-amd64");
        File.WriteAllBytes(stale, [1]);
        Assert.Matches(@"(?m)^KernelBtf\s+Succeeded", KernelBtf().Output);
        Assert.False(File.Exists(stale));

        // A new read-only global changes the object (as in IncrementalBuildTests).
        File.AppendAllText(Path.Combine(_clone.Root, "bpf", "tracer.bpf.c"), "\nconst volatile int kernel_btf_test_marker = 1;\n");
        var edited = KernelBtf();
        Assert.Matches(@"(?m)^CompileBpf\s+Succeeded", edited.Output);
        Assert.Matches(@"(?m)^KernelBtf\s+Succeeded", edited.Output);
        Assert.Equal(
            // Each kernel's BTF, and the same gzipped as the tracer carries it.
            kernels.GroupBy(k => k.Arch).Select(g => g.SelectMany(k => new[] { $"{k.Entry.Release}.btf", $"{k.Entry.Release}.btf.gz" }).Order(StringComparer.Ordinal)),
            Arch.All.Select(a => Directory.GetFiles(Path.GetDirectoryName(Minimized(a, "x"))!).Select(Path.GetFileName).Order(StringComparer.Ordinal)));
    }
}
