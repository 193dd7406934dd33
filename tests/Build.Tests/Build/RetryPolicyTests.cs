using Polly;

namespace TracerBuild.Tests;

/// <summary>The build's one retry mechanism, on plain values and a clock that does not wait.</summary>
public sealed class RetryPolicyTests
{
    private static readonly RetryPolicy Policy = new(4, TimeSpan.FromSeconds(1), Jitter: false);

    private readonly InstantTime _time = new();

    /// <summary>Any result but 0 is worth another try; a positive one asks for that many seconds' wait.</summary>
    private ResiliencePipeline<int> Pipeline() => Policy.Pipeline<int>(
        "count",
        outcome => outcome.Exception is TimeoutException ? "timed out" : outcome.Result != 0 ? $"got {outcome.Result}" : null,
        outcome => outcome.Result > 0 ? TimeSpan.FromSeconds(outcome.Result) : null,
        _time);

    [Fact]
    public void The_backoff_doubles_and_a_server_given_wait_replaces_it()
    {
        var results = new Queue<int>([-1, 7, -1, 0]);

        var result = Pipeline().Execute(results.Dequeue);

        Assert.Equal(0, result);
        Assert.Empty(results);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(4)], _time.Waits);
    }

    [Fact]
    public void After_the_last_attempt_the_caller_gets_its_result_or_its_exception()
    {
        var tries = 0;

        Assert.Equal(-1, Pipeline().Execute(() => { tries++; return -1; }));
        Assert.Equal(Policy.Attempts, tries);

        Assert.Throws<TimeoutException>(() => Pipeline().Execute<int>(() => { tries++; throw new TimeoutException(); }));
        Assert.Equal(2 * Policy.Attempts, tries);
        Assert.Equal(2 * (Policy.Attempts - 1), _time.Waits.Count);
    }

    [Fact]
    public void A_result_that_is_retried_is_disposed_and_the_last_one_is_not()
    {
        var answers = new[] { new Answer(), new Answer() };
        var tries = 0;
        var pipeline = Policy.Pipeline<Answer>("ask", outcome => outcome.Result == answers[0] ? "busy" : null, time: _time);

        var last = pipeline.Execute(() => answers[tries++]);

        Assert.Same(answers[1], last);
        Assert.True(answers[0].Disposed);
        Assert.False(answers[1].Disposed);
    }

    [Fact]
    public void An_outcome_with_no_reason_to_retry_is_not_retried()
    {
        var tries = 0;

        Assert.Throws<InvalidOperationException>(() => Pipeline().Execute<int>(() => { tries++; throw new InvalidOperationException(); }));

        Assert.Equal(1, tries);
        Assert.Empty(_time.Waits);
    }

    /// <summary>Stands for an HTTP response, which holds a connection until disposed.</summary>
    private sealed class Answer : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
