namespace TracerBuild.Tests;

/// <summary>Targets that declare inputs and outputs run again only when those change.</summary>
public sealed class IncrementalTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly string _input;
    private readonly string _output;

    public IncrementalTests()
    {
        Directory.CreateDirectory(Path.Combine(_root.Path, ".nuke"));
        _input = Path.Combine(_root.Path, "input.txt");
        _output = Path.Combine(_root.Path, "out", "output.txt");
        File.WriteAllText(_input, "one");
    }

    public void Dispose() => _root.Dispose();

    private sealed class CopyBuild(string input, string output) : BuildBase
    {
        [Parameter("a value the copy depends on")]
        public string Flavour = "plain";

        public bool Fail;
        public int Copies;
        public bool Unpinned;
        public Action? DuringCopy;

        public Target Copy => _ => _
            .Inputs(() => [AbsolutePath.Of(input)])
            .InputValues(() => [Flavour])
            .Outputs(() => [AbsolutePath.Of(output)])
            .AlwaysRunsWhen(() => Unpinned, "unpinned")
            .Executes(() =>
            {
                if (Fail)
                    throw new BuildFailedException("copy failed");
                Directory.CreateDirectory(Path.GetDirectoryName(output)!);
                File.WriteAllText(output, File.ReadAllText(input) + Flavour);
                Copies++;
                DuringCopy?.Invoke();
            });

        public Target After => _ => _.DependsOn(Copy).Executes(() => { });
    }

    private (CopyBuild Build, string Output) Run(params string[] args) => Run(_ => { }, args);

    private (CopyBuild Build, string Output) Run(Action<CopyBuild> setup, params string[] args)
    {
        var build = new CopyBuild(_input, _output) { RootDirectory = AbsolutePath.Of(_root.Path) };
        setup(build);
        var output = new StringWriter();
        BuildRunner.Run(build, args, build.After, new Dictionary<string, string>(), output, new StringWriter(), TestContext.Current.CancellationToken);
        return (build, output.ToString());
    }

    [Fact]
    public void An_unchanged_second_run_is_up_to_date_and_does_not_run()
    {
        Assert.Equal(1, Run().Build.Copies);

        var (build, output) = Run();

        Assert.Equal(0, build.Copies);
        Assert.Matches(@"(?m)^Copy\s+UpToDate", output);
        Assert.Matches(@"(?m)^After\s+Succeeded", output);
    }

    [Fact]
    public void A_changed_input_file_runs_it_again_but_a_touched_one_does_not()
    {
        Run();
        File.SetLastWriteTimeUtc(_input, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(0, Run().Build.Copies);

        File.WriteAllText(_input, "two");
        Assert.Equal(1, Run().Build.Copies);
        Assert.Equal("twoplain", File.ReadAllText(_output));
    }

    [Fact]
    public void The_build_program_the_state_is_recorded_against_is_the_build_s_assembly_as_well_as_the_engine_s()
    {
        var identity = TargetState.ProgramIdentity(new CopyBuild(_input, _output));

        Assert.Contains(typeof(CopyBuild).Assembly.ManifestModule.ModuleVersionId.ToString(), identity);
        Assert.Contains(typeof(BuildBase).Assembly.ManifestModule.ModuleVersionId.ToString(), identity);
    }

    [Fact]
    public void A_changed_value_runs_it_again()
    {
        Run();
        Assert.Equal(1, Run("--flavour", "spicy").Build.Copies);
        Assert.Equal(0, Run("--flavour", "spicy").Build.Copies);
    }

    [Fact]
    public void Switching_back_to_a_value_whose_output_was_rewritten_runs_it_again()
    {
        Run();
        Run("--flavour", "spicy");

        Assert.Equal(1, Run().Build.Copies);
        Assert.Equal("oneplain", File.ReadAllText(_output));
    }

    /// <summary>Like an arch: each value writes an output of its own.</summary>
    private sealed class PerArchBuild(string input, string root) : BuildBase
    {
        [Parameter("which arch")]
        public string Arch = "x64";

        public int Copies;

        public Target Copy => _ => _
            .Inputs(() => [AbsolutePath.Of(input)])
            .InputValues(() => [Arch])
            .Outputs(() => [AbsolutePath.Of(Path.Combine(root, "out", Arch, "output.txt"))])
            .Executes(() =>
            {
                Directory.CreateDirectory(Path.Combine(root, "out", Arch));
                File.WriteAllText(Path.Combine(root, "out", Arch, "output.txt"), File.ReadAllText(input) + Arch);
                Copies++;
            });
    }

    [Fact]
    public void Switching_back_and_forth_between_values_with_outputs_of_their_own_is_a_no_op_the_second_time()
    {
        int Copies(string arch)
        {
            var build = new PerArchBuild(_input, _root.Path) { RootDirectory = AbsolutePath.Of(_root.Path) };
            BuildRunner.Run(build, ["--arch", arch], build.Copy, new Dictionary<string, string>(), new StringWriter(), new StringWriter(), TestContext.Current.CancellationToken);
            return build.Copies;
        }

        Assert.Equal([1, 1, 0, 0], new[] { Copies("x64"), Copies("arm64"), Copies("x64"), Copies("arm64") });

        File.WriteAllText(_input, "two");
        Assert.Equal([1, 1, 0], new[] { Copies("x64"), Copies("arm64"), Copies("x64") });
    }

    [Fact]
    public void A_missing_or_changed_output_runs_it_again()
    {
        Run();
        File.Delete(_output);
        Assert.Equal(1, Run().Build.Copies);

        File.WriteAllText(_output, "tampered");
        Assert.Equal(1, Run().Build.Copies);
        Assert.Equal("oneplain", File.ReadAllText(_output));
    }

    [Fact]
    public void An_output_changed_on_disk_with_size_and_mtime_kept_is_reported_and_replaced()
    {
        Run();
        var written = File.GetLastWriteTimeUtc(_output);
        File.WriteAllText(_output, "ONEPLAIN"); // same length
        File.SetLastWriteTimeUtc(_output, written);

        var (build, output) = Run();

        Assert.Equal(1, build.Copies);
        Assert.Equal("oneplain", File.ReadAllText(_output));
        Assert.Contains("Copy: output changed: out/output.txt (its content no longer matches what the build wrote); running it again to replace it.", output);
    }

    [Fact]
    public void An_output_declared_somewhere_new_runs_it_again()
    {
        Run();
        var elsewhere = Path.Combine(_root.Path, "elsewhere.txt");

        var build = new CopyBuild(_input, elsewhere) { RootDirectory = AbsolutePath.Of(_root.Path) };
        var output = new StringWriter();
        BuildRunner.Run(build, [], build.After, new Dictionary<string, string>(), output, new StringWriter(), TestContext.Current.CancellationToken);

        Assert.Equal(1, build.Copies);
        Assert.True(File.Exists(elsewhere));
    }

    [Fact]
    public void An_input_edited_while_the_target_runs_makes_the_next_run_run_it_again()
    {
        Run(b => b.DuringCopy = () => File.WriteAllText(_input, "edited meanwhile"));

        Assert.Equal(1, Run().Build.Copies);
        Assert.Equal("edited meanwhileplain", File.ReadAllText(_output));
    }

    [Fact]
    public void A_run_forced_by_an_always_run_condition_is_not_recorded_as_up_to_date()
    {
        Run();
        Run(b => b.Unpinned = true);

        Assert.Equal(1, Run().Build.Copies);
    }

    [Fact]
    public void Files_of_an_input_folder_inside_an_obj_folder_count_but_its_own_bin_and_obj_do_not()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root.Path, "artifacts", "obj", "headers")).FullName;
        File.WriteAllText(Path.Combine(folder, "vmlinux.h"), "one");
        Directory.CreateDirectory(Path.Combine(folder, "bin"));
        var build = new FolderBuild(folder) { RootDirectory = AbsolutePath.Of(_root.Path) };
        void RunFolder() => BuildRunner.Run(build, [], build.Compile, new Dictionary<string, string>(), new StringWriter(), new StringWriter(), TestContext.Current.CancellationToken);

        RunFolder();
        File.WriteAllText(Path.Combine(folder, "bin", "ignored.txt"), "whatever");
        RunFolder();
        Assert.Equal(1, build.Runs);

        File.WriteAllText(Path.Combine(folder, "vmlinux.h"), "two");
        RunFolder();
        Assert.Equal(2, build.Runs);
    }

    private sealed class FolderBuild(string folder) : BuildBase
    {
        public int Runs;

        public Target Compile => _ => _.Inputs(() => [AbsolutePath.Of(folder)]).Executes(() => Runs++);
    }

    [Fact]
    public void Force_and_an_always_run_condition_run_it_again()
    {
        Run();
        Assert.Equal(1, Run("--force").Build.Copies);
        Assert.Equal(1, Run(b => b.Unpinned = true).Build.Copies);
    }

    [Fact]
    public void A_failed_run_is_forgotten_so_the_next_run_runs_it()
    {
        Run();
        File.WriteAllText(_input, "two");
        Run(b => b.Fail = true);
        File.WriteAllText(_input, "one");

        Assert.Equal(1, Run().Build.Copies);
    }

    [Fact]
    public void The_plan_says_why_each_target_runs_or_not()
    {
        Assert.Equal(
            ["Copy         runs (no successful run recorded)", "After        runs (it declares no inputs, so it always runs)"],
            Lines(Run("--plan").Output));
        Run();
        Assert.Equal("Copy         up to date", Lines(Run("--plan").Output)[0]);

        File.WriteAllText(_input, "two");
        Assert.Equal("Copy         runs (changed: input.txt)", Lines(Run("--plan").Output)[0]);

        Run();
        File.Delete(_output);
        Assert.Equal("Copy         runs (output missing: out/output.txt)", Lines(Run("--plan").Output)[0]);
        Assert.Equal("Copy         runs (--force)", Lines(Run("--plan", "--force").Output)[0]);
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
