using System.Text.Json;

namespace TracerBuild.Tests;

/// <summary>The JSON examples in both READMEs have the fields, in the order, of the events the tracer prints today.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class ReadmeExampleTests(BuildScriptFixture build)
{
    private static readonly string[] Readmes = ["README.md", "docs/USER-README.md"];

    /// <summary>Each example line (indented, starting with {"ts") of a README, parsed.</summary>
    private static List<JsonElement> Examples(string readme) =>
    [
        .. File.ReadLines(Path.Combine(Repository.Root, readme))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("{\"ts\":", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement),
    ];

    private static string Keys(JsonElement e) => string.Join(",", e.EnumerateObject().Select(p => p.Name));

    [Fact]
    public void Every_README_example_has_the_fields_of_a_real_event_of_its_type_in_the_same_order()
    {
        Assert.SkipUnless(Repository.IsRoot, "Real events come from loading the BPF programs, which needs root.");
        build.Succeed("--target", "Publish", "--arch", Arch.Host.Name);

        using var tracer = new TracerProcess(BuildScriptFixture.Artifact($"publish/{Arch.Host.Rid}/tracer"), "--duration", "3");
        Programs.Run("/bin/cat", ["/etc/hostname"], echo: false);
        // bash's /dev/tcp connects; port 9 (discard) is closed here, which is still a traced connect.
        Programs.TryRun("bash", ["-c", "exec 3<>/dev/tcp/127.0.0.1/9"]);
        var real = TracerProcess.JsonLines(tracer.WaitForExit().Stdout)
            .GroupBy(e => e.GetProperty("type").GetString()!)
            .ToDictionary(g => g.Key, g => Keys(g.First()));

        foreach (var readme in Readmes)
        {
            var examples = Examples(readme);
            Assert.NotEmpty(examples);
            foreach (var example in examples)
            {
                var type = example.GetProperty("type").GetString()!;
                Assert.True(real.ContainsKey(type), $"no {type} event was traced to compare {readme}'s example with");
                Assert.True(real[type] == Keys(example), $"{readme}: a {type} example has fields {Keys(example)}, the tracer prints {real[type]}");
            }
        }
    }
}
