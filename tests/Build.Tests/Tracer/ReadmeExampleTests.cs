using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Tracer.Bpf;
using Tracer.Output;

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

    private static unsafe JsonElement ModuleRecordAsWritten()
    {
        using var output = new MemoryStream();
        var writer = new EventWriter(output, Tracer.Commands.OutputFormat.Json, null, 0);
        var record = new ModuleEvent { Type = EventType.Module, Op = ModuleOp.Load };
        writer.Write(&record, (nuint)sizeof(ModuleEvent));
        writer.Flush();
        return JsonDocument.Parse(output.ToArray()).RootElement;
    }

    private static string Keys(JsonElement e) => string.Join(",", e.EnumerateObject().Select(p => p.Name));

    [Fact]
    public void Every_README_example_has_the_fields_of_a_real_event_of_its_type_in_the_same_order()
    {
        Assert.SkipUnless(Repository.IsRoot, "Real events come from loading the BPF programs, which needs root.");
        build.Succeed("--target", "Publish", "--arch", Arch.Host.Name);

        using var dns = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        dns.Bind(new IPEndPoint(IPAddress.Loopback, 53));
        using var temp = new TempDirectory();
        var file = Path.Combine(temp.Path, "old.log");
        File.WriteAllText(file, "x");

        using var tracer = new TracerProcess(BuildScriptFixture.Artifact($"publish/{Arch.Host.Rid}/tracer"), "--duration", "4");
        Programs.Run("/bin/cat", ["/etc/hostname"], echo: false);
        Programs.Run("/bin/rm", [file], echo: false);
        // A TCP flow of this process: connect, accept, and both ends' close.
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            using var client = new TcpClient();
            client.Connect((IPEndPoint)listener.LocalEndpoint);
            listener.AcceptSocket().Dispose();
        }
        TracerTests.DnsExchange(dns);
        var real = TracerProcess.JsonLines(tracer.WaitForExit().Stdout)
            .GroupBy(e => e.GetProperty("type").GetString()!)
            .ToDictionary(g => g.Key, g => Keys(g.First()));
        // This kernel may have no loadable modules: the writer's own keys for a module record stand for them.
        if (BpfSession.Unavailable(EventType.Module) is not null)
            real["module"] = Keys(ModuleRecordAsWritten());

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
