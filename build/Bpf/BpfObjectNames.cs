using TracerBuild.Package;

namespace TracerBuild.Bpf;

/// <summary>
/// The programs (with the section that says where each attaches) and the maps a BPF object defines, from its symbol
/// table: a program is a global function in a section of its own (subprograms live in .text), a map an object in .maps.
/// </summary>
public sealed record BpfObjectNames(IReadOnlyList<(string Name, string Section)> Programs, IReadOnlyList<string> Maps)
{
    public static BpfObjectNames Read(string bpfObject)
    {
        var symbols = Elf.Symbols(bpfObject);
        return new(
            [.. symbols.Where(s => s.Type == Elf.SymbolFunction && s.Binding == Elf.BindingGlobal && s.Section is not ("" or ".text"))
                .Select(s => (s.Name, s.Section)).OrderBy(p => p.Name, StringComparer.Ordinal)],
            [.. symbols.Where(s => s.Type == Elf.SymbolObject && s.Section == ".maps").Select(s => s.Name).Order(StringComparer.Ordinal)]);
    }
}
