
namespace TracerBuild.Bpf;

/// <summary>
/// src/Tracer/Bpf/Events.g.cs, the C# of bpf/tracer.h: CompileBpf generates it from each arch's object and keeps the
/// committed copy current, so a plain <c>dotnet build</c> of the tracer needs no clang. CI only checks it: a file
/// the commit lacks would pass there and fail for the next person.
/// </summary>
public static class EventTypesFile
{
    public const string RelativePath = "src/Tracer/Bpf/Events.g.cs";

    /// <summary>
    /// The C# of the header as each object's BTF has it (one text, since one tracer source serves every arch), then the
    /// names of every object's programs and maps.
    /// </summary>
    public static string Generate(string header, IReadOnlyList<(string Arch, string BpfObject)> objects) =>
        Agree(objects.Select(o => (o.Arch, EventTypesGenerator.Generate(SharedTypes.Read(header, o.BpfObject)))).ToList())
        + EventTypesGenerator.GenerateNames([.. objects.Select(o => (o.Arch, BpfObjectNames.Read(o.BpfObject)))]);

    public static string Agree(IReadOnlyList<(string Arch, string Text)> texts)
    {
        var (firstArch, first) = texts[0];
        foreach (var (arch, text) in texts.Skip(1))
        {
            if (text == first)
                continue;
            var change = LayoutDiff.First(first, text);
            throw new BuildFailedException(change is null
                ? $"bpf/tracer.h gives different C# for {firstArch} and {arch}."
                : $"bpf/tracer.h lays out {change.Name} differently for {firstArch} ({change.Before ?? "absent"}) and {arch} ({change.After ?? "absent"}): one C# serves every arch, so tracer.h must not depend on it.");
        }
        return first;
    }

    /// <summary>
    /// Writes the file when it differs from the generated text and returns the line saying what changed (null when it
    /// was current); under CI it writes nothing and fails naming the first difference.
    /// </summary>
    public static string? Update(string path, string generated, bool ci)
    {
        var committed = File.Exists(path) ? File.ReadAllText(path) : null;
        if (committed == generated)
            return null;
        var change = committed is null ? null : LayoutDiff.First(committed, generated);
        if (ci)
        {
            var problem = committed is null ? "is missing" : change is null ? "was edited by hand" : $"is out of date with bpf/tracer.h ({change})";
            throw new BuildFailedException($"{RelativePath} {problem}: run ./build.sh --target CompileBpf locally and commit the file.");
        }
        AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(generated));
        return $"{RelativePath}: {(committed is null ? "created" : change?.ToString() ?? "hand edits undone")}";
    }
}
