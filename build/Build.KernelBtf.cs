using TracerBuild.KernelBtf;
using TracerBuild.Vm;
using TracerBuild;

partial class Build
{
    Target KernelBtf => _ => _
        .DependsOn(CompileBpf)
        .Description("Minimizes the BTF of each kernel bpf/btf.lock.json pins to what each arch's BPF object reads (bpftool gen min_core_btf), for kernels without /sys/kernel/btf/vmlinux")
        // A lock that lacks a kernel of the matrix stops the build before any target runs.
        .Requires(() => Arches.Select(KernelBtfLockFile.For).ToList())
        .Inputs(() => [Paths.KernelBtfLock, .. Arches.Select(Paths.BpfObject)])
        .InputValues(() => [InstalledProgram("bpftool")])
        // The folders, not the files: one that gains a file the run did not write (a kernel the lock dropped) is made again.
        .Outputs(() => Arches.Select(Paths.KernelBtfFolder))
        .Executes(() =>
        {
            var provider = KernelBtfProvider();
            ForEachArch(arch =>
            {
                using var work = Temporary.Create("kernel-btf");
                var kernels = KernelBtfLockFile.For(arch);
                // Every kernel is checked against the lock before any output is written: a mismatch changes none.
                var fulls = kernels.Select(k => provider.GetPinned(arch, k.Kernel, k.Entry, work.Path)).ToList();
                foreach (var ((_, entry), full) in kernels.Zip(fulls))
                {
                    var minimized = Paths.KernelBtf(arch, entry.Release);
                    MinCoreBtf.Write(full, Paths.BpfObject(arch), minimized, work.Path);
                    Log.Line($"{Paths.Show(minimized)}: {minimized.FileLength():N0} bytes ({MinCoreBtf.Compressed(minimized).FileLength():N0} gzipped), from {full.FileLength():N0} ({entry.Package} {entry.Version})");
                }
                // The folder holds the lock's kernels alone, so whoever embeds it takes no kernel the lock has dropped.
                var pinned = kernels.Select(k => Paths.KernelBtf(arch, k.Entry.Release)).SelectMany(f => new[] { f, MinCoreBtf.Compressed(f) }).ToHashSet();
                foreach (var stale in Paths.KernelBtfFolder(arch).GetFiles().Where(f => !pinned.Contains(f)).ToList())
                {
                    Log.Line($"Removing {Paths.Show(stale)}: the lock no longer pins that kernel");
                    stale.DeleteFile();
                }
            });
        });

    Target UpdateKernelBtf => _ => _
        .DependsOn(Preflight)
        .Description("Re-pins bpf/btf.lock.json to the kernels VmTest boots (its cached Debian packages, downloaded when missing): unpacks each, hashes its BTF")
        .Executes(() =>
        {
            var previous = PreviousKernelBtfLock();
            var provider = KernelBtfProvider();
            var cache = new KernelBtfCache(Paths.Cache);
            var kernels = new Dictionary<(Arch, DebianKernel), KernelBtfLockEntry>();
            foreach (var arch in TracerBuild.Arch.All)
            {
                using var work = Temporary.Create("kernel-btf");
                foreach (var kernel in DebianKernel.All)
                {
                    var (entry, btf) = provider.Extract(arch, kernel, work.Path);
                    cache.Store(cache.PathOf(arch, entry), btf);
                    kernels[(arch, kernel)] = entry;
                    var old = previous?.Kernels.GetValueOrDefault((arch, kernel));
                    Log.Line(old == entry
                        ? $"{arch.Name} {kernel.Suite}: unchanged, {entry.Release}"
                        : $"{arch.Name} {kernel.Suite}: {Pinned(old)} -> {Pinned(entry)}");
                }
            }
            var updated = new KernelBtfLock(kernels).ToJson();
            if (Paths.KernelBtfLock.FileExists() && updated.SequenceEqual(Paths.KernelBtfLock.ReadAllBytes()))
                Log.Line($"{Paths.Show(Paths.KernelBtfLock)} already pins these kernels.");
            else
                AtomicFile.Write(Paths.KernelBtfLock, updated);
        });

    static string Pinned(KernelBtfLockEntry? entry) => entry is null ? "(none)" : $"{entry.Release} {entry.Version} {entry.Sha256}";

    KernelBtfLock? _kernelBtfLock;

    /// <summary>bpf/btf.lock.json, read when a target first needs it: most targets do not.</summary>
    KernelBtfLock KernelBtfLockFile => _kernelBtfLock ??= KernelBtfLock.Load(Paths.KernelBtfLock);

    KernelBtfProvider KernelBtfProvider() =>
        new(new KernelBtfCache(Paths.Cache), (kernel, arch) => VmPackages.KernelPackage(Paths.Cache, DebianArchiveUri, kernel, arch));

    /// <summary>The lock being replaced, for the log; one that is missing or unreadable is what updating repairs.</summary>
    KernelBtfLock? PreviousKernelBtfLock()
    {
        if (!Paths.KernelBtfLock.FileExists())
            return null;
        try
        {
            return KernelBtfLock.Load(Paths.KernelBtfLock);
        }
        catch (BuildInputException e)
        {
            Log.Warning($"{e.Message} Replacing it.");
            return null;
        }
    }
}
