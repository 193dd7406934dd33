using System.Text.Json;

namespace TracerBuild.Tests;

/// <summary>Exec events in full on the real kernel: long argv cut with its count and flag, failed execs, the environment, secrets replaced.</summary>
public sealed partial class TracerTests
{
    /// <summary>tracer.h's MAX_ARGS_LEN and MAX_ENV_LEN, less one: the bytes of argv and of the environment an exec event keeps.</summary>
    private const int ArgsKept = 8191, EnvKept = 16383;

    [Fact]
    public void A_long_argv_is_kept_to_8191_bytes_with_its_count_and_the_truncated_flag()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("targv");
        var program = Copy("/bin/true", dir.Path, name);
        string[] numbers = [.. Enumerable.Range(1, 3000).Select(n => n.ToString())];

        using var tracer = new TracerProcess(Tracer(), "--events", "exec", "--comm", name, "--duration", "3");
        RunToEnd(program, numbers);
        RunToEnd(program, "short");
        var events = TracerProcess.JsonLines(tracer.WaitForExit().Stdout);

        Assert.Equal(2, events.Count);
        var cut = events[0];
        Assert.Equal(3001, cut.GetProperty("argc").GetInt32());
        Assert.True(cut.GetProperty("args_truncated").GetBoolean());
        var kept = string.Join('\0', [program, .. numbers])[..ArgsKept].Split('\0');
        Assert.Equal(kept, Strings(cut, "args"));
        Assert.Equal(0, cut.GetProperty("result").GetInt32());
        Assert.False(cut.TryGetProperty("env", out _), "the environment is traced only with --env");
        var whole = events[1];
        Assert.Equal(2, whole.GetProperty("argc").GetInt32());
        Assert.False(whole.GetProperty("args_truncated").GetBoolean());
        Assert.Equal([program, "short"], Strings(whole, "args"));
    }

    [Fact]
    public void A_failed_exec_is_reported_with_its_error_filename_and_argv()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("tfail");
        var shell = Copy("/bin/bash", dir.Path, name);
        var missing = Path.Combine(dir.Path, "missing-program");

        using var tracer = new TracerProcess(Tracer(), "--events", "exec", "--comm", name, "--duration", "3");
        var pid = RunToEnd(shell, "-c", $"exec {missing} one two");
        var events = TracerProcess.JsonLines(tracer.WaitForExit().Stdout);

        var failed = Assert.Single(events, e => e.GetProperty("result").GetInt32() != 0);
        Assert.Equal(-2, failed.GetProperty("result").GetInt32()); // ENOENT
        Assert.Equal(missing, failed.GetProperty("filename").GetString());
        Assert.Equal([missing, "one", "two"], Strings(failed, "args"));
        Assert.Equal(3, failed.GetProperty("argc").GetInt32());
        Assert.Equal(pid, failed.GetProperty("pid").GetInt32());
        Assert.Equal(name, failed.GetProperty("comm").GetString());
    }

    [Fact]
    public void The_environment_comes_with_env_cut_to_16383_bytes_and_secrets_replaced_unless_asked()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, NeedsRoot);
        using var dir = new TempDirectory();
        var name = UniqueComm("tenv");
        var program = Copy("/bin/true", dir.Path, name);
        var environment = new Dictionary<string, string> { ["API_TOKEN"] = "hunter2", ["ZZ_BIG"] = new string('x', 70000) };

        foreach (var show in new[] { false, true })
        {
            using var tracer = new TracerProcess(Tracer(), ["--events", "exec", "--comm", name, "--env", "--duration", "3", .. show ? new[] { "--show-secrets" } : []]);
            using (var run = new BackgroundProgram(program, ["--password=hunter2"], environment: environment))
                run.WaitForExit();
            var exec = Assert.Single(TracerProcess.JsonLines(tracer.WaitForExit().Stdout));

            var env = Strings(exec, "env");
            Assert.Contains(show ? "API_TOKEN=hunter2" : "API_TOKEN=***", env);
            Assert.DoesNotContain(env, v => !show && v.Contains("hunter2"));
            Assert.Equal([program, show ? "--password=hunter2" : "--password=***"], Strings(exec, "args"));
            Assert.True(exec.GetProperty("env_truncated").GetBoolean(), "a 70 kB variable does not fit");
            Assert.True(exec.GetProperty("envc").GetInt32() >= env.Length, $"envc {exec.GetProperty("envc")} counts the strings left out too");
            if (show)
            {
                // The kept bytes: NUL-separated strings, the last one cut (or ending at the bound with its NUL).
                var bytes = env.Sum(v => System.Text.Encoding.UTF8.GetByteCount(v) + 1);
                Assert.Contains(bytes, new[] { EnvKept, EnvKept + 1 });
            }
        }
    }

    private static string[] Strings(JsonElement e, string name) => [.. e.GetProperty(name).EnumerateArray().Select(a => a.GetString()!)];
}
