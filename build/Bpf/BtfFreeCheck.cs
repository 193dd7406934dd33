using System.Buffers.Binary;
using TracerBuild.Package;

namespace TracerBuild.Bpf;

/// <summary>
/// Names every program of a BPF object not called *_btf that would need the running kernel's own BTF: the tracer loads
/// those (with a BTF it carries, as btf_custom_path) on kernels built without it, and a VM whose kernel has BTF cannot
/// catch one that needs it.
/// </summary>
public static class BtfFreeCheck
{
    /// <summary>Programs with this suffix may need the kernel's BTF; the tracer never loads them without it.</summary>
    public const string BtfSuffix = "_btf";

    /// <summary>
    /// The section prefixes libbpf attaches through the kernel's BTF (SEC_ATTACH_BTF in libbpf.c's section_defs): the
    /// BTF tracepoints, fentry/fexit and their kin, LSM, iterators and struct_ops.
    /// </summary>
    private static readonly string[] BtfSections =
    [
        "tp_btf/", "fentry/", "fexit/", "fmod_ret/", "fentry.s/", "fexit.s/", "fmod_ret.s/", "freplace/", "lsm/", "lsm.s/",
        "lsm_cgroup/", "iter/", "iter.s/", "struct_ops",
    ];

    /// <summary>
    /// Helpers whose prototypes take or return pointers the verifier types from the kernel's BTF (ARG_PTR_TO_BTF_ID,
    /// RET_PTR_TO_BTF_ID*, PTR_TO_PERCPU_BTF_ID) or that look types up in it (kernel/trace/bpf_trace.c,
    /// kernel/bpf/helpers.c, net/core/filter.c); ids from enum bpf_func_id. bpf_get_current_task (35) and the
    /// probe reads, which return plain numbers, are what a program uses instead.
    /// </summary>
    private static readonly Dictionary<int, string> BtfHelpers = new()
    {
        [107] = "bpf_sk_storage_get", [108] = "bpf_sk_storage_delete",
        [136] = "bpf_skc_to_tcp6_sock", [137] = "bpf_skc_to_tcp_sock", [138] = "bpf_skc_to_tcp_timewait_sock",
        [139] = "bpf_skc_to_tcp_request_sock", [140] = "bpf_skc_to_udp6_sock",
        [145] = "bpf_inode_storage_get", [146] = "bpf_inode_storage_delete", [147] = "bpf_d_path",
        [149] = "bpf_snprintf_btf", [150] = "bpf_seq_printf_btf", [153] = "bpf_per_cpu_ptr", [154] = "bpf_this_cpu_ptr",
        [156] = "bpf_task_storage_get", [157] = "bpf_task_storage_delete", [158] = "bpf_get_current_task_btf",
        [159] = "bpf_bprm_opts_set", [162] = "bpf_sock_from_file", [167] = "bpf_btf_find_by_name_kind",
        [175] = "bpf_task_pt_regs", [178] = "bpf_skc_to_unix_sock", [180] = "bpf_find_vma",
        [183] = "bpf_get_func_arg", [184] = "bpf_get_func_ret", [185] = "bpf_get_func_arg_cnt",
        [191] = "bpf_copy_from_user_task", [194] = "bpf_kptr_xchg", [196] = "bpf_skc_to_mptcp_sock",
        [210] = "bpf_cgrp_storage_get", [211] = "bpf_cgrp_storage_delete",
    };

    private const byte Call = 0x85, LoadImm64 = 0x18;
    private const int PseudoCall = 1, PseudoKfuncCall = 2, PseudoBtfId = 3;

    /// <summary>Fails the build, naming each program on a line of its own, when any program breaks the rule.</summary>
    public static void Require(string objectPath, string arch)
    {
        var offences = Offences(objectPath);
        foreach (var offence in offences)
            Log.Line(offence);
        if (offences.Count > 0)
            throw new BuildFailedException($"{offences.Count} program(s) of the {arch} BPF object need the kernel's BTF but are not named *{BtfSuffix} (see above): the tracer would load them on kernels without it.");
    }

    /// <summary>One line per program that breaks the rule, empty when none does.</summary>
    public static IReadOnlyList<string> Offences(string objectPath)
    {
        if (Elf.Machine(objectPath) != Elf.MachineBpf)
            throw new BuildFailedException($"{objectPath} is not a BPF object (ELF64, little-endian, e_machine {Elf.MachineBpf}).");
        try
        {
            return Check(objectPath);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or EndOfStreamException or OverflowException)
        {
            throw new BuildFailedException($"{objectPath} is not a whole BPF object: {e.Message}");
        }
    }

    private static List<string> Check(string objectPath)
    {
        var symbols = Elf.Symbols(objectPath);
        // Global functions outside .text are what libbpf calls programs; subprograms that are not inlined live in .text.
        var programs = symbols.Where(s => s.Type == Elf.SymbolFunction && s.Binding == Elf.BindingGlobal && s.Section is not ("" or ".text"));
        var text = Read(objectPath, ".text", 0, long.MaxValue);
        var offences = new List<string>();
        foreach (var program in programs.Where(p => !p.Name.EndsWith(BtfSuffix, StringComparison.Ordinal)))
        {
            var reasons = new List<string>();
            if (BtfSections.Any(prefix => program.Section.StartsWith(prefix, StringComparison.Ordinal)))
                reasons.Add("its section needs the kernel's BTF");
            var code = Read(objectPath, program.Section, program.Value, program.Size);
            reasons.AddRange(Reasons(code));
            // Any call into .text makes all of .text the caller's code: simpler than following each call, and as strict.
            if (code.Instructions.Any(i => i.Opcode == Call && i.Source == PseudoCall))
                reasons.AddRange(Reasons(text).Select(r => $"{r} (in a subprogram it calls)"));
            if (reasons.Count > 0)
                offences.Add($"{program.Name} ({program.Section}): {string.Join("; ", reasons.Distinct())}: name it ..._btf, or use raw_tp/, bpf_get_current_task and CO-RE reads");
        }
        return offences;
    }

    private readonly record struct Instruction(long Offset, byte Opcode, int Source, int Immediate);

    private sealed record Code(IReadOnlyList<Instruction> Instructions, IReadOnlyList<(long Offset, Elf.Symbol Symbol)> Relocations);

    /// <summary>A program's instructions (a range of its section) and the relocations that patch them.</summary>
    private static Code Read(string objectPath, string section, long start, long size)
    {
        var bytes = Elf.SectionData(objectPath, section) ?? [];
        var end = Math.Min(bytes.Length, size == long.MaxValue ? bytes.Length : checked(start + size));
        var instructions = new List<Instruction>();
        for (var at = start; at + 8 <= end; at += 8)
        {
            var opcode = bytes[at];
            instructions.Add(new(at, opcode, bytes[at + 1] >> 4, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(checked((int)at + 4)))));
            if (opcode == LoadImm64)
                at += 8; // the second half of a 16-byte instruction
        }
        var relocations = Elf.Relocations(objectPath, section).Where(r => r.Offset >= start && r.Offset < end).ToList();
        return new(instructions, relocations);
    }

    private static IEnumerable<string> Reasons(Code code)
    {
        foreach (var insn in code.Instructions)
        {
            if (insn.Opcode == Call && insn.Source == 0 && BtfHelpers.TryGetValue(insn.Immediate, out var helper))
                yield return $"calls {helper}, which needs the kernel's BTF";
            else if (insn.Opcode == Call && insn.Source == PseudoKfuncCall)
                yield return "calls a kernel function (kfunc), which needs the kernel's BTF";
            else if (insn.Opcode == LoadImm64 && insn.Source == PseudoBtfId)
                yield return "reads a kernel symbol by its BTF id (__ksym)";
        }
        // Before libbpf loads it, an object's kfunc calls and __ksym reads are relocations against undefined symbols,
        // which libbpf resolves through the kernel's BTF; the externs of .kconfig (CONFIG_*, LINUX_*) need none.
        var calls = code.Instructions.Where(i => i.Opcode == Call).Select(i => i.Offset).ToHashSet();
        foreach (var (offset, symbol) in code.Relocations.Where(r => r.Symbol.Section == "" && r.Symbol.Name.Length > 0 &&
                     !r.Symbol.Name.StartsWith("CONFIG_", StringComparison.Ordinal) && !r.Symbol.Name.StartsWith("LINUX_", StringComparison.Ordinal)))
            yield return calls.Contains(offset) ? $"calls the kernel function {symbol.Name} (kfunc), which needs the kernel's BTF" : $"reads the kernel symbol {symbol.Name} (__ksym) by its BTF id";
    }
}
