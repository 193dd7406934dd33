using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Reflection;
using System.Text;
using Tracer;
using Tracer.Bpf;
using Tracer.Commands;

var eventsOption = new Option<string>("--events")
{
    Description = "Comma-separated events to trace: exec, open, unlink, file_io, connect, accept, tcp_close, udp, dns, module; or the groups process, file, net, all (the default: every event this kernel can trace)",
    DefaultValueFactory = _ => "all",
};
eventsOption.Validators.Add(result =>
{
    if (ParseEvents(result.GetValueOrDefault<string>()) is null)
        result.AddError($"--events takes a comma-separated list of {string.Join(", ", EventNames.All.Select(EventNames.Of))} or {string.Join(", ", EventNames.Groups.Keys)}.");
});

var durationOption = new Option<double?>("--duration")
{
    Description = "Stop after this many seconds (default: until Ctrl-C or SIGTERM)",
    CustomParser = result => Parse<double?>(result, "--duration", Seconds, TrySeconds),
};

var pidOption = new Option<uint?>("--pid")
{
    Description = "Only events of this process id (filtered in the kernel)",
    CustomParser = result => Parse(result, "--pid", "a process id, a whole number greater than 0",
        (string text, out uint? pid) =>
        {
            var ok = uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0;
            pid = value;
            return ok;
        }),
};

var commOption = new Option<string?>("--comm") { Description = "Only events of processes with exactly this name (comm, at most 15 bytes; filtered in the kernel)" };
commOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<string?>() is { } comm && (comm.Length == 0 || Encoding.UTF8.GetByteCount(comm) >= TracerConfig.CommLength))
        result.AddError($"--comm must be 1 to {TracerConfig.CommLength - 1} bytes, as the kernel keeps a process name.");
});

var pathOption = new Option<string?>("--path") { Description = "Only exec, open, unlink and file_io events whose path matches this glob (* and ?)" };

var formatOption = new Option<string>("--format")
{
    Description = "Output format: json (one object per line) or text",
    DefaultValueFactory = _ => "json",
};
formatOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<string>() is not ("json" or "text"))
        result.AddError("--format takes json or text.");
});

var intervalOption = new Option<double?>("--interval")
{
    Description = "Report totals (file reads and writes, UDP flows) this often, in seconds; a total idle that long is reported once more and dropped (default 10)",
    CustomParser = result => Parse<double?>(result, "--interval", Seconds, TrySeconds),
};

var envOption = new Option<bool>("--env") { Description = "Exec events carry the new program's environment (values of secret-looking names replaced)" };
var showSecretsOption = new Option<bool>("--show-secrets")
{
    Description = "Do not replace the values of arguments and variables whose names look secret (TOKEN, SECRET, PASSWORD, PASSWD, KEY, CREDENTIAL, AUTH)",
};

var btfOption = new Option<string?>("--btf")
{
    Description = "The running kernel's BTF (a vmlinux, or raw BTF), for a kernel without /sys/kernel/btf/vmlinux that the tracer carries none for; also TRACER_BTF",
};

var includeSelfOption = new Option<bool>("--include-self") { Description = "Also show the tracer's own events (skipped in the kernel by default)" };

var monitor = new Command("monitor", "Stream kernel events (processes, files, network flows, DNS, modules) as JSON lines")
{
    eventsOption, durationOption, pidOption, commOption, pathOption, formatOption, includeSelfOption, intervalOption, envOption, showSecretsOption, btfOption,
};
monitor.SetAction(parse =>
{
    GiveBtf(parse);
    return Guarded(() => MonitorCommand.Run(new MonitorOptions(
        ParseEvents(parse.GetValue(eventsOption))!,
        parse.GetValue(durationOption) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        parse.GetValue(pidOption) ?? 0,
        parse.GetValue(commOption),
        parse.GetValue(pathOption),
        parse.GetValue(formatOption) == "text" ? OutputFormat.Text : OutputFormat.Json,
        parse.GetValue(includeSelfOption),
        parse.GetValue(intervalOption) is { } interval ? TimeSpan.FromSeconds(interval) : null,
        parse.GetValue(envOption),
        parse.GetValue(showSecretsOption),
        OptionalEvents(parse.GetValue(eventsOption)))));
});

var doctor = new Command("doctor", "Check that this machine can run the tracer, and say how to fix what is missing") { btfOption };
doctor.SetAction(parse =>
{
    GiveBtf(parse);
    return Guarded(DoctorCommand.Run);
});

var root = new RootCommand("tracer: streams kernel events (processes, files, network flows, DNS, modules) as JSON lines, through eBPF") { monitor, doctor };
root.Options.OfType<VersionOption>().Single().Action = new PrintVersion();
// .NET decodes arguments as UTF-8, putting U+FFFD for bytes that are not: refuse them rather than filter on a mangled value.
if (args.FirstOrDefault(a => a.Contains('\uFFFD')) is { } mangled)
{
    Console.Error.WriteLine($"tracer: argument '{mangled}' is not valid UTF-8");
    return (int)ExitCode.Usage;
}
var parsed = root.Parse(args);
// Bad input: one line saying what is wrong, not the help page.
if (parsed.Errors.Count > 0)
{
    Console.Error.WriteLine($"tracer: {parsed.Errors[0].Message}");
    return (int)ExitCode.Usage;
}
return parsed.Invoke();

/// <summary>A value the option's parser turns down becomes one error naming the option, what it got and what it takes.</summary>
static T? Parse<T>(ArgumentResult result, string option, string expected, TryParse<T> tryParse)
{
    if (result.Tokens.Count == 1 && tryParse(result.Tokens[0].Value, out var value))
        return value;
    result.AddError($"{option} takes {expected}, got '{string.Join(' ', result.Tokens.Select(t => t.Value))}'.");
    return default;
}

static bool TrySeconds(string text, out double? seconds)
{
    var ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= MaxDurationSeconds;
    seconds = value;
    return ok;
}

static HashSet<EventType>? ParseEvents(string? list)
{
    var names = (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    var events = names.Select(EventNames.Parse).ToList();
    return events.Count == 0 || events.Any(e => e is null) ? null : events.SelectMany(e => e!).ToHashSet();
}

/// <summary>The events asked for only through "all": the others were named, and must be traced or fail.</summary>
static HashSet<EventType> OptionalEvents(string? list)
{
    var names = (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    var named = names.Where(n => n != "all").SelectMany(n => EventNames.Parse(n) ?? []);
    return names.Contains("all") ? EventNames.All.Except(named).ToHashSet() : [];
}

/// <summary>--btf, when given, stands before TRACER_BTF; the choice among the BTF sources is made at the first check.</summary>
void GiveBtf(ParseResult parse)
{
    if (parse.GetValue(btfOption) is { } file)
        ProgramBtf.Given = file;
}

static int Guarded(Func<ExitCode> action)
{
    try
    {
        return (int)action();
    }
    catch (TracerException e)
    {
        Console.Error.WriteLine($"tracer: {e.Message}");
        return (int)e.ExitCode;
    }
}

delegate bool TryParse<T>(string text, out T value);

static partial class Program
{
    /// <summary>About 31 years: longer would overflow a TimeSpan, and no one means it.</summary>
    private const double MaxDurationSeconds = 1e9;

    private const string Seconds = "a number of seconds greater than 0, such as 10 or 0.5";
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
