using TracerBuild.Engine;

namespace TracerBuild;

/// <summary>Every ELF file bound for an arch's tarball must have been built for that arch.</summary>
public static class ArchCheck
{
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

    private static string Describe(ushort? machine) =>
        Arch.All.FirstOrDefault(a => a.ElfMachine == machine) is { } arch
            ? $"{arch.Name} (ELF e_machine {machine})"
            : machine is null ? "no 64-bit little-endian machine" : $"ELF e_machine {machine}";
}
