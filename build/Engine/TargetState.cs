using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TracerBuild.Engine;

/// <summary>
/// Decides whether an incremental target is up to date: the hash of its inputs (file contents and values, plus the
/// build program itself) must equal the last successful run's, and its outputs must still hold what that run wrote.
/// Outputs are hashed afresh every time (<see cref="ContentHash"/>), never vouched for by size and mtime: an output
/// changed on disk with both kept (a failing disk, a hand edit) is still caught. Remembered per target in <c>.nuke/temp/targets/</c>.
/// </summary>
internal sealed class TargetState(string root, FileHashes hashes)
{
    private static readonly string BuildProgram = typeof(TargetState).Assembly.ManifestModule.ModuleVersionId.ToString();

    private string StateDirectory => Path.Combine(root, ".nuke", "temp", "targets");

    /// <summary>How <see cref="WhyRun"/> starts its reason when an output was changed behind the build's back.</summary>
    public const string OutputChanged = "output changed: ";

    public sealed record Record(string Fingerprint, Dictionary<string, string> Inputs, Dictionary<string, string> Outputs);

    /// <summary>A target's inputs as hashed before it runs: what its result is recorded against.</summary>
    public sealed record Snapshot(string Fingerprint, Dictionary<string, string> Inputs, string? AlwaysRunReason);

    public Snapshot Capture(TargetDefinition target)
    {
        var inputs = HashInputs(target);
        var always = target.AlwaysRunConditions.FirstOrDefault(c => c.Condition()).Reason;
        return new Snapshot(Fingerprint(target, inputs), inputs, always);
    }

    /// <summary>Null when the target is up to date; otherwise why it must run.</summary>
    public string? WhyRun(TargetDefinition target, Snapshot snapshot)
    {
        if (snapshot.AlwaysRunReason is { } always)
            return always;
        if (Load(target) is not { } last)
            return "no successful run recorded";

        var inputs = snapshot.Inputs;
        if (snapshot.Fingerprint != last.Fingerprint)
        {
            var changed = inputs.Where(i => last.Inputs.GetValueOrDefault(i.Key) != i.Value).Select(i => Relative(i.Key))
                .Concat(last.Inputs.Keys.Except(inputs.Keys).Select(Relative)).Take(3).ToList();
            return changed.Count > 0 ? $"changed: {string.Join(", ", changed)}" : "parameters, tools or the build program changed";
        }
        // The outputs declared now (parameters may point them elsewhere) must be exactly those the last run left.
        var outputs = Expand(target.OutputFiles).ToList();
        foreach (var output in outputs.Union(last.Outputs.Keys))
        {
            if (!last.Outputs.TryGetValue(output, out var hash))
                return $"output not made by the last run: {Relative(output)}";
            if (!outputs.Contains(output) || !File.Exists(output))
                return $"output missing: {Relative(output)}";
            if (ContentHash.OfFile(output) != hash)
                return $"{OutputChanged}{Relative(output)} (its content no longer matches what the last run wrote)";
        }
        return null;
    }

    /// <summary>
    /// Records a successful run against the inputs as they were before it (an edit made while it ran is seen next
    /// time). A run forced by an always-run condition is not a result for those inputs, so it is forgotten instead.
    /// </summary>
    public void Save(TargetDefinition target, Snapshot before)
    {
        if (before.AlwaysRunReason is not null)
        {
            Forget(target);
            return;
        }
        var outputs = Expand(target.OutputFiles).ToDictionary(f => f, f => File.Exists(f) ? ContentHash.OfFile(f) : "");
        var record = new Record(before.Fingerprint, before.Inputs, outputs);
        AtomicFile.Write(Path.Combine(StateDirectory, target.Name + ".json"), JsonSerializer.SerializeToUtf8Bytes(record, EngineJsonContext.Default.Record));
    }

    public void Forget(TargetDefinition target)
    {
        var path = Path.Combine(StateDirectory, target.Name + ".json");
        if (File.Exists(path))
            File.Delete(path);
    }

    private Record? Load(TargetDefinition target)
    {
        var path = Path.Combine(StateDirectory, target.Name + ".json");
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), EngineJsonContext.Default.Record) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private Dictionary<string, string> HashInputs(TargetDefinition target) =>
        Expand(target.InputFiles).ToDictionary(f => f, f => hashes.Of(f) ?? "missing");

    private static string Fingerprint(TargetDefinition target, Dictionary<string, string> inputs)
    {
        var text = new StringBuilder(BuildProgram).Append('\n');
        foreach (var (file, hash) in inputs.OrderBy(i => i.Key, StringComparer.Ordinal))
            text.Append("file ").Append(file).Append(' ').Append(hash).Append('\n');
        foreach (var value in target.InputValueSources.SelectMany(v => v()))
            text.Append("value ").Append(value).Append('\n');
        return Sha256.Of(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>Files as given, folders as every file in them except those in their own bin/ and obj/ folders, sorted.</summary>
    private static IEnumerable<string> Expand(IEnumerable<Func<IEnumerable<string>>> sources) =>
        sources.SelectMany(s => s())
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
[JsonSerializable(typeof(TargetState.Record))]
internal sealed partial class EngineJsonContext : JsonSerializerContext;
