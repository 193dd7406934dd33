using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engine;

/// <summary>
/// Decides whether an incremental target is up to date: the hash of its inputs (file contents and values, plus the
/// build program itself) must equal that of a successful run, and its outputs must still hold what that run wrote.
/// Outputs are hashed afresh every time (<see cref="ContentHash"/>), never vouched for by size and mtime: an output
/// changed on disk with both kept (a failing disk, a hand edit) is still caught. Remembered per target in
/// <c>.nuke/temp/targets/</c>: the last few runs with different inputs whose outputs are all still on disk, so that
/// switching a parameter back (another --arch, whose outputs live in folders of their own) finds its run again.
/// </summary>
internal sealed class TargetState(string root, FileHashes hashes, string buildProgram)
{
    private string StateDirectory => Path.Combine(root, ".nuke", "temp", "targets");

    /// <summary>How <see cref="WhyRun"/> starts its reason when an output was changed behind the build's back.</summary>
    public const string OutputChanged = "output changed: ";

    public sealed record Record(string Fingerprint, Dictionary<string, string> Inputs, Dictionary<string, string> Outputs);

    /// <summary>Runs remembered per target, newest first; older ones go. A handful covers switching arches and configurations.</summary>
    private const int RecordsKept = 8;

    /// <summary>A target's inputs as hashed before it runs: what its result is recorded against.</summary>
    public sealed record Snapshot(string Fingerprint, Dictionary<string, string> Inputs, string? AlwaysRunReason);

    public Snapshot Capture(TargetDefinition target)
    {
        var inputs = HashInputs(target);
        var always = target.AlwaysRunConditions.FirstOrDefault(c => c.Condition())?.Reason;
        return new Snapshot(Fingerprint(target, inputs), inputs, always);
    }

    /// <summary>Null when the target is up to date; otherwise why it must run.</summary>
    public string? WhyRun(TargetDefinition target, Snapshot snapshot)
    {
        if (snapshot.AlwaysRunReason is { } always)
            return always;
        var records = Load(target);
        if (records.Count == 0)
            return "no successful run recorded";

        var inputs = snapshot.Inputs;
        var run = records.FirstOrDefault(r => r.Fingerprint == snapshot.Fingerprint);
        if (run is null)
        {
            // What differs from the latest run says best what the user changed.
            var latest = records[0];
            var changed = inputs.Where(i => latest.Inputs.GetValueOrDefault(i.Key) != i.Value).Select(i => Relative(i.Key))
                .Concat(latest.Inputs.Keys.Except(inputs.Keys).Select(Relative)).Take(3).ToList();
            return changed.Count > 0 ? $"changed: {string.Join(", ", changed)}" : "parameters, tools or the build program changed";
        }
        // The outputs declared now (parameters may point them elsewhere) must be exactly those that run left.
        var outputs = Expand(target.OutputFiles).ToList();
        foreach (var output in outputs.Union(run.Outputs.Keys))
        {
            if (!run.Outputs.TryGetValue(output, out var hash))
                return $"output not made by the run with these inputs: {Relative(output)}";
            if (!outputs.Contains(output) || !File.Exists(output))
                return $"output missing: {Relative(output)}";
            if (ContentHash.OfFile(output) != hash)
                return $"{OutputChanged}{Relative(output)} (its content no longer matches what the build wrote)";
        }
        return null;
    }

    /// <summary>
    /// Records a successful run against the inputs as they were before it (an edit made while it ran is seen next
    /// time). A run forced by an always-run condition is not a result for those inputs, so it is forgotten instead.
    /// Earlier runs stay remembered unless this one rewrote an output of theirs with other content.
    /// </summary>
    public void Save(TargetDefinition target, Snapshot before)
    {
        if (before.AlwaysRunReason is not null)
        {
            Forget(target);
            return;
        }
        var outputs = Expand(target.OutputFiles).ToDictionary(f => f, f => File.Exists(f) ? ContentHash.OfFile(f) : "");
        var records = Load(target)
            .Where(r => r.Fingerprint != before.Fingerprint && r.Outputs.All(o => outputs.GetValueOrDefault(o.Key, o.Value) == o.Value))
            .Prepend(new Record(before.Fingerprint, before.Inputs, outputs))
            .Take(RecordsKept)
            .ToList();
        AtomicFile.Write(Path.Combine(StateDirectory, target.Name + ".json"), JsonSerializer.SerializeToUtf8Bytes(records, EngineJsonContext.Default.ListRecord));
    }

    /// <summary>After a failed run: it may have rewritten any remembered run's outputs.</summary>
    public void Forget(TargetDefinition target)
    {
        var path = Path.Combine(StateDirectory, target.Name + ".json");
        if (File.Exists(path))
            File.Delete(path);
    }

    private List<Record> Load(TargetDefinition target)
    {
        var path = Path.Combine(StateDirectory, target.Name + ".json");
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), EngineJsonContext.Default.ListRecord) ?? [] : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private Dictionary<string, string> HashInputs(TargetDefinition target) =>
        Expand(target.InputFiles).ToDictionary(f => f, f => hashes.Of(f) ?? "missing");

    /// <summary>The compiled engine and build: a changed step may make other outputs from the same inputs.</summary>
    public static string ProgramIdentity(BuildBase build) =>
        $"{typeof(TargetState).Assembly.ManifestModule.ModuleVersionId} {build.GetType().Assembly.ManifestModule.ModuleVersionId}";

    private string Fingerprint(TargetDefinition target, Dictionary<string, string> inputs)
    {
        var text = new StringBuilder(buildProgram).Append('\n');
        foreach (var file in inputs.Keys.Order(StringComparer.Ordinal))
            text.Append("file ").Append(file).Append(' ').Append(inputs[file]).Append('\n');
        foreach (var value in target.InputValueSources.SelectMany(v => v()))
            text.Append("value ").Append(value).Append('\n');
        return Sha256.Of(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>Files as given, folders as every file in them except those in their own bin/ and obj/ folders, sorted.</summary>
    private static IEnumerable<string> Expand(IEnumerable<Func<IEnumerable<AbsolutePath>>> sources) =>
        sources.SelectMany(s => s()).Select(p => p.Path)
            .SelectMany(path => Directory.Exists(path)
                ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => !Path.GetRelativePath(path, f).Split('/').Any(segment => segment is "bin" or "obj"))
                : [path])
            .Select(Path.GetFullPath)
            .Distinct()
            .Order(StringComparer.Ordinal);

    private string Relative(string path) => Path.GetRelativePath(root, path);
}

[JsonSerializable(typeof(Dictionary<string, FileHashes.Entry>))]
[JsonSerializable(typeof(List<TargetState.Record>))]
internal sealed partial class EngineJsonContext : JsonSerializerContext;
