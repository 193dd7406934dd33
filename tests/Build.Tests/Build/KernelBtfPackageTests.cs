using System.Collections;
using TracerBuild.Bpf;
using TracerBuild.KernelBtf;
using TracerBuild.Vm;

namespace TracerBuild.Tests;

/// <summary>
/// The kernels bpf/btf.lock.json pins, read from the Debian packages VmTest keeps in this user's build cache, and their
/// BTF minimized for the BPF objects; skipped, saying how to fill the cache, for a package that is not there.
/// </summary>
[Collection(BuildScriptCollection.Name)]
public sealed class KernelBtfPackageTests(BuildScriptFixture build) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string> Kernels { get; } =
        new(Arch.All.SelectMany(a => DebianKernel.All.Select(k => (a.Name, k.Suite))));

    /// <summary>The user's cache (as VmTestTests uses it): the tests' own empty cache would download about 150 MB.</summary>
    public static string UserCache =>
        BuildPaths.DefaultCache(Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? ""));

    public static string CachedPackage(Arch arch, DebianKernel kernel, KernelBtfLockEntry pinned) =>
        Path.Combine(UserCache, "debian", $"{kernel.Suite}-{arch.DebianArch}", "kernel", $"{pinned.Package}_{pinned.Version}_{arch.DebianArch}.deb");

    public static string HowToCache =>
        "./build.sh --target KernelBtf --arch all (or VmTest --kernel all --arch all) downloads VmTest's kernels into that cache";

    [Theory]
    [MemberData(nameof(Kernels))]
    public void The_cached_package_holds_the_pinned_btf_which_minimizes_to_one_bpftool_loads(string archName, string suite)
    {
        var arch = Arch.All.Single(a => a.Name == archName);
        var kernel = DebianKernel.All.Single(k => k.Suite == suite);
        var pinned = KernelBtfLock.Load(Path.Combine(Repository.Root, "bpf", "btf.lock.json")).For(arch).Single(k => k.Kernel == kernel).Entry;
        var deb = CachedPackage(arch, kernel, pinned);
        Assert.SkipUnless(File.Exists(deb), $"{deb} is not cached: {HowToCache}.");
        var work = AbsolutePath.Of(_temp.Path);

        var (entry, btf) = new KernelBtfProvider(new KernelBtfCache(work / "cache"), (_, _) => deb).Extract(arch, kernel, work);

        Assert.Equal(pinned, entry);
        var fullTypes = Btf.Parse(btf, pinned.Release).Types;
        Assert.Contains(fullTypes, t => t is { Kind: BtfKind.Struct, Name: "task_struct" });

        build.Succeed("--target", "CompileBpf", "--arch", "all");
        var full = work / "full.btf";
        var minimized = work / "min.btf";
        File.WriteAllBytes(full, btf);
        MinCoreBtf.Write(full, AbsolutePath.Of(BuildScriptFixture.Artifact($"obj/bpf/{arch.Name}/tracer.bpf.o")), minimized, work);

        var dump = Programs.Run("bpftool", ["btf", "dump", "file", minimized, "format", "raw"], echo: false).StandardOutput;
        Assert.Contains("STRUCT '", dump);
        var minimizedTypes = Btf.Parse(minimized.ReadAllBytes(), "min").Types;
        Assert.InRange(minimized.FileLength(), 1, btf.Length / 100);
        // Only what the object reads, and all of it the kernel's own: every named struct is one of the full BTF's.
        Assert.Subset(
            fullTypes.Where(t => t is { Kind: BtfKind.Struct, Name.Length: > 0 }).Select(t => t.Name).ToHashSet(),
            minimizedTypes.Where(t => t is { Kind: BtfKind.Struct, Name.Length: > 0 }).Select(t => t.Name).ToHashSet());
    }
}
