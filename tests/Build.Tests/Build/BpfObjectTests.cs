using System.Text.Json;
using System.Text.RegularExpressions;

namespace TracerBuild.Tests;

/// <summary>What the compiled BPF objects say: each was built for its arch (the event layouts: <see cref="EventTypesFileTests"/>).</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class BpfObjectTests(BuildScriptFixture build)
{
    [Fact]
    public void Each_object_reads_registers_through_its_own_archs_pt_regs()
    {
        var x64 = Btf("x64");
        var arm64 = Btf("arm64");

        // x86: syscall arguments and number are pt_regs fields di, si, dx, orig_ax.
        Assert.Superset(new HashSet<string> { "di", "si", "dx", "orig_ax" }, MemberNames(x64, "pt_regs").ToHashSet());
        Assert.Null(Struct(x64, "user_pt_regs"));
        // arm64: arguments are user_pt_regs.regs[n] (orig_x0 for the first), the number pt_regs.syscallno.
        Assert.Contains("regs", MemberNames(arm64, "user_pt_regs"));
        Assert.Contains("orig_x0", MemberNames(arm64, "pt_regs___arm64"));
        Assert.Contains("syscallno", MemberNames(arm64, "pt_regs"));
        Assert.DoesNotContain("di", MemberNames(arm64, "pt_regs"));
    }

    /// <summary>
    /// The sys_exit programs compare the syscall number with the arch's numbers of the syscalls they watch, and never with
    /// a stand-in for a syscall the arch lacks: arm64 has no open, unlink, rmdir or dup2, and its rt_sigreturn exits with
    /// -1, which once passed as an open when -1 stood for open there.
    /// </summary>
    [Theory]
    [InlineData("x64", new[] { 257, 42 })]
    [InlineData("arm64", new[] { 56, 203 })]
    public void Sys_exit_compares_the_syscall_number_only_with_syscalls_the_arch_has(string arch, int[] numbers)
    {
        Btf(arch); // compiles the objects
        // Both programs of each pair: on the BTF tracepoint, and on the raw one for kernels without BTF.
        var disassembly = Programs.Run("llvm-objdump", ["-d", "--no-show-raw-insn", "--section=tp_btf/sys_exit", "--section=raw_tp/sys_exit",
            BuildScriptFixture.Artifact($"obj/bpf/{arch}/tracer.bpf.o")], echo: false).Output;
        // The arch's own openat and connect numbers are compared with (the compiler turns runs of numbers, such as
        // arm64's reads and writes, into ranges); -1, the stand-in that once passed rt_sigreturn's exit on arm64 as an
        // open, never is. (A -1 loaded into a register first is no longer told apart from masks such as a uid's: the
        // syscalls an arch lacks are left undefined in common.bpf.h, and their comparisons compiled out.)
        var constants = Regex.Matches(disassembly, @"if r\d+ [!=]= (-?\d+) goto").Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();
        Assert.Subset(constants, numbers.ToHashSet());
        Assert.DoesNotContain(-1, constants);
    }

    [Fact]
    public void The_arm64_tracer_embeds_the_arm64_object_and_the_btf_of_the_arm64_kernels_of_the_lock()
    {
        build.Succeed("--target", "Publish", "--arch", "arm64", "--self-contained", "false");
        using var dir = new TempDirectory();
        var embedded = Path.Combine(dir.Path, "embedded.bpf.o");
        File.WriteAllBytes(embedded, EmbeddedResource(BuildScriptFixture.Artifact("publish/linux-arm64/tracer.dll"), "tracer.bpf.o"));

        var btf = JsonDocument.Parse(Programs.Run("bpftool", ["-j", "btf", "dump", "file", embedded], echo: false).Output).RootElement.GetProperty("types");
        Assert.Contains("regs", MemberNames(btf, "user_pt_regs"));
        Assert.Contains("syscallno", MemberNames(btf, "pt_regs"));
        Assert.Equal(File.ReadAllBytes(BuildScriptFixture.Artifact("obj/bpf/arm64/tracer.bpf.o")), File.ReadAllBytes(embedded));

        // And the minimized BTF of each arm64 kernel the lock pins, gzipped, by release: what KernelBtf made.
        using var lockFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "bpf", "btf.lock.json")));
        var releases = lockFile.RootElement.GetProperty("kernels").GetProperty("arm64").EnumerateObject().Select(k => k.Value.GetProperty("release").GetString()!).ToList();
        Assert.Equal(3, releases.Count);
        foreach (var release in releases)
        {
            using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(EmbeddedResource(BuildScriptFixture.Artifact("publish/linux-arm64/tracer.dll"), $"btf/{release}.btf.gz")),
                System.IO.Compression.CompressionMode.Decompress);
            using var carried = new MemoryStream();
            gzip.CopyTo(carried);
            Assert.Equal(File.ReadAllBytes(BuildScriptFixture.Artifact($"obj/btf/arm64/{release}.btf")), carried.ToArray());
        }
    }

    /// <summary>A managed resource's bytes, read from the PE file without loading it (an arm64 assembly does not load here).</summary>
    private static byte[] EmbeddedResource(string assembly, string name)
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(assembly));
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var resource = metadata.ManifestResources.Select(metadata.GetManifestResource).Single(r => metadata.GetString(r.Name) == name);
        // Each resource is a 4-byte length and the bytes, at its offset in the resources directory.
        var resources = pe.GetSectionData(pe.PEHeaders.CorHeader!.ResourcesDirectory.RelativeVirtualAddress).GetReader();
        resources.Offset = (int)resource.Offset;
        return resources.ReadBytes(resources.ReadInt32());
    }

    private static bool _compiled;

    /// <summary>The object's BTF types, from objects compiled from the current sources once per test run.</summary>
    private JsonElement Btf(string arch)
    {
        if (!_compiled)
            build.Succeed("--target", "CompileBpf", "--arch", "all");
        _compiled = true;
        var bpfObject = BuildScriptFixture.Artifact($"obj/bpf/{arch}/tracer.bpf.o");
        var dump = Programs.Run("bpftool", ["-j", "btf", "dump", "file", bpfObject], echo: false);
        return JsonDocument.Parse(dump.Output).RootElement.GetProperty("types");
    }

    private static JsonElement? Struct(JsonElement btf, string name) =>
        btf.EnumerateArray().Cast<JsonElement?>().FirstOrDefault(t =>
            t!.Value.GetProperty("kind").GetString() == "STRUCT" && t.Value.TryGetProperty("name", out var n) && n.GetString() == name);

    private static List<string> MemberNames(JsonElement btf, string structName) =>
        Struct(btf, structName) is { } type
            ? [.. type.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("name").GetString() ?? "")]
            : [];
}
