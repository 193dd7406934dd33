namespace TracerBuild.Tests;

public class TestCountsTests
{
    [Fact]
    public void Skipped_tests_are_those_counted_in_total_but_not_executed()
    {
        using var folder = new TempDirectory();
        // The counters VSTest wrote for a run with 7 tests skipped by xunit (notExecuted stays 0).
        var trx = Path.Combine(folder.Path, "run.trx");
        File.WriteAllText(trx, """
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><ResultSummary outcome="Completed">
            <Counters total="423" executed="416" passed="415" failed="1" error="0" timeout="0" aborted="0" inconclusive="0" notExecuted="0" />
            </ResultSummary></TestRun>
            """);

        Assert.Equal("415 passed, 1 failed, 7 skipped", TestCounts.FromTrx([trx]).ToString());
    }
}
