
namespace TracerBuild.Package;

/// <summary>Every ELF file bound for an arch's tarball must have been built for that arch; the BPF object must carry BTF.</summary>
public static class ArchCheck
{
    private static readonly string[] BtfSections = [".BTF", ".BTF.ext"];

    public static void Verify(Arch arch, IEnumerable<TarballEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.SourcePath is not { } path || !Elf.IsElf(path))
                continue;
            var machine = Elf.Machine(path);
            if (machine != arch.ElfMachine)
            {
                throw new BuildFailedException(
                    $"{path} (packaged as {entry.Name}) is built for {Describe(machine)}, expected {arch.Name} (ELF e_machine {arch.ElfMachine}).");
            }
        }
    }

    /// <summary>libbpf needs the object's BTF for CO-RE relocations, so an object without it is as wrong as one for another machine.</summary>
    public static void VerifyBpfObject(string path)
    {
        var machine = Elf.Machine(path);
        if (machine != Elf.MachineBpf)
            throw new BuildFailedException($"{path} is built for {Describe(machine)}, expected BPF (ELF e_machine {Elf.MachineBpf}).");
        var missing = BtfSections.Except(Elf.SectionNames(path)).ToList();
        if (missing.Count > 0)
            throw new BuildFailedException($"{path} has no {string.Join(" or ", missing)} section: compile it with clang -g so libbpf can relocate it.");
    }

    private static string Describe(ushort? machine) =>
        Arch.All.FirstOrDefault(a => a.ElfMachine == machine) is { } arch ? $"{arch.Name} (ELF e_machine {machine})"
        : machine == Elf.MachineBpf ? $"BPF (ELF e_machine {machine})"
        : machine is null ? "no 64-bit little-endian machine"
        : $"ELF e_machine {machine}";
}
