using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Tracer;

var durationOption = new Option<double?>("--duration")
{
    Description = "Stop after this many seconds (default: until Ctrl-C or SIGTERM)",
};
durationOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<double?>() is <= 0)
        result.AddError("--duration must be a positive number of seconds.");
});

var monitor = new Command("monitor", "Stream kernel events (process exec) as JSON lines") { durationOption };
monitor.SetAction(parse => Guarded(() => MonitorCommand.Run(parse.GetValue(durationOption) is { } s ? TimeSpan.FromSeconds(s) : null)));

var root = new RootCommand("tracer: streams kernel events (exec) as JSON lines, through eBPF") { monitor };
root.Options.OfType<VersionOption>().Single().Action = new PrintVersion();
return root.Parse(args).Invoke();

static int Guarded(Func<int> action)
{
    try
    {
        return action();
    }
    catch (TracerException e)
    {
        Console.Error.WriteLine($"tracer: {e.Message}");
        return 1;
    }
    catch (DllNotFoundException)
    {
        Console.Error.WriteLine($"tracer: libbpf.so.1 could not be loaded from {NativeLibraries.BundledDirectory} or the system: install libbpf1 or use the tarball's lib/");
        return 1;
    }
}

sealed class PrintVersion : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var rid = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "TargetRid")?.Value;
        Console.WriteLine($"tracer {version} {(string.IsNullOrEmpty(rid) ? "linux-unknown" : rid)}");
        return 0;
    }
}
