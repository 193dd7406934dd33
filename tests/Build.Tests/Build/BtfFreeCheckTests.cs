using TracerBuild.Bpf;

namespace TracerBuild.Tests;

/// <summary>
/// The build's check that every BPF program not named *_btf needs no kernel BTF, on objects clang compiles here: each
/// way a program can come to need it (its section, a helper, a kfunc, a __ksym, a subprogram's helper) is caught, and
/// the same code named *_btf, or written with the helpers that need none, passes.
/// </summary>
public sealed class BtfFreeCheckTests
{
    private const string Declarations = """
        #define SEC(n) __attribute__((section(n), used))
        static void *(*bpf_get_current_task_btf)(void) = (void *)158;
        static void *(*bpf_task_pt_regs)(void *task) = (void *)175;
        static long (*bpf_get_current_task)(void) = (void *)35;
        static long (*bpf_probe_read_kernel)(void *dst, unsigned int size, const void *src) = (void *)113;
        extern int bpf_rcu_read_lock(void) __attribute__((section(".ksyms")));
        extern const int bpf_prog_active __attribute__((section(".ksyms")));
        char LICENSE[] SEC("license") = "GPL";

        """;

    [Theory]
    [InlineData("""SEC("raw_tp/sys_exit") int p(void *ctx) { return bpf_get_current_task_btf() != 0; }""", "calls bpf_get_current_task_btf")]
    [InlineData("""SEC("tracepoint/syscalls/sys_exit_read") int p(void *ctx) { return bpf_task_pt_regs((void *)bpf_get_current_task()) != 0; }""", "calls bpf_task_pt_regs")]
    [InlineData("""SEC("tp_btf/sys_exit") int p(void *ctx) { return 0; }""", "its section needs the kernel's BTF")]
    [InlineData("""SEC("fentry/do_unlinkat") int p(void *ctx) { return 0; }""", "its section needs the kernel's BTF")]
    [InlineData("""SEC("raw_tp/x") int p(void *ctx) { return bpf_rcu_read_lock(); }""", "calls the kernel function bpf_rcu_read_lock (kfunc)")]
    [InlineData("""SEC("raw_tp/x") int p(void *ctx) { return *(volatile const int *)&bpf_prog_active; }""", "reads the kernel symbol bpf_prog_active (__ksym)")]
    [InlineData("""
        static __attribute__((noinline)) int sub(void) { return bpf_get_current_task_btf() != 0; }
        SEC("kprobe/x") int p(void *ctx) { return sub(); }
        """, "calls bpf_get_current_task_btf, which needs the kernel's BTF (in a subprogram it calls)")]
    public void A_program_that_needs_the_kernels_btf_fails_unless_named_btf(string program, string reason)
    {
        using var dir = new TempDirectory();

        var offence = Assert.Single(BtfFreeCheck.Offences(Compile(dir.Path, program)));
        Assert.StartsWith("p (", offence);
        Assert.Contains(reason, offence);

        // The same code, named as one that may need it.
        Assert.Empty(BtfFreeCheck.Offences(Compile(dir.Path, program.Replace(" p(", " p_btf("))));
    }

    [Fact]
    public void Programs_on_raw_tracepoints_tracepoints_and_kprobes_with_plain_helpers_pass()
    {
        using var dir = new TempDirectory();
        var clean = Compile(dir.Path, """
            static __attribute__((always_inline)) long first(void) { long v = 0; bpf_probe_read_kernel(&v, 8, (void *)bpf_get_current_task()); return v; }
            SEC("raw_tp/sys_exit") int a(void *ctx) { return first(); }
            SEC("tracepoint/syscalls/sys_exit_read") int b(void *ctx) { return first(); }
            SEC("kprobe/inet_stream_connect") int c(void *ctx) { return first(); }
            SEC("tp_btf/sys_exit") int d_btf(void *ctx) { return bpf_get_current_task_btf() != 0; }
            """);

        Assert.Empty(BtfFreeCheck.Offences(clean));
    }

    [Fact]
    public void The_requirement_fails_the_build_naming_the_count_and_each_program_on_its_own_line()
    {
        using var dir = new TempDirectory();
        var bad = Compile(dir.Path, """
            SEC("tp_btf/sys_exit") int one(void *ctx) { return 0; }
            SEC("raw_tp/sys_exit") int two(void *ctx) { return bpf_get_current_task_btf() != 0; }
            """);

        Assert.Equal(["one (tp_btf/sys_exit)", "two (raw_tp/sys_exit)"], BtfFreeCheck.Offences(bad).Select(o => o[..o.IndexOf(':')]));
        var failure = Assert.Throws<BuildFailedException>(() => BtfFreeCheck.Require(bad, "x64"));
        Assert.StartsWith("2 program(s) of the x64 BPF object need the kernel's BTF but are not named *_btf", failure.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not an object at all")]
    public void A_file_that_is_no_bpf_object_is_one_line_not_a_stack_trace(string content)
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "broken.o");
        File.WriteAllText(path, content);

        Assert.StartsWith($"{path} is not a BPF object", Assert.Throws<BuildFailedException>(() => BtfFreeCheck.Offences(path)).Message);
    }

    [Fact]
    public void A_truncated_bpf_object_is_one_line_not_a_stack_trace()
    {
        using var dir = new TempDirectory();
        var whole = Compile(dir.Path, """SEC("raw_tp/x") int p(void *ctx) { return 0; }""");
        var cut = Path.Combine(dir.Path, "cut.o");
        File.WriteAllBytes(cut, File.ReadAllBytes(whole)[..200]);

        Assert.Contains(cut, Assert.Throws<BuildFailedException>(() => BtfFreeCheck.Offences(cut)).Message);
    }

    private static int _compiled;

    private static string Compile(string directory, string programs)
    {
        var name = Path.Combine(directory, $"test{Interlocked.Increment(ref _compiled)}");
        File.WriteAllText(name + ".c", Declarations + programs);
        Programs.Run("clang", ["-O2", "-g", "-target", "bpf", "-c", name + ".c", "-o", name + ".o"], echo: false);
        return name + ".o";
    }
}
