using Polly;
using Polly.Retry;

namespace TracerBuild;

/// <summary>
/// The build's one way of trying again: <see cref="Attempts"/> tries in all, waiting <see cref="FirstBackoff"/> after the
/// first failure and twice as long after each next one.
/// </summary>
/// <param name="Jitter">Randomises the backoff, so that builds failing together do not all come back together.</param>
public sealed record RetryPolicy(int Attempts, TimeSpan FirstBackoff, bool Jitter = true)
{
    /// <summary>
    /// A pipeline that runs an action again while <paramref name="transient"/> names a reason to, logging
    /// "<paramref name="what"/>: reason; retrying in N s (attempt n of N)". What the last attempt gives, the caller gets:
    /// its result, or its exception thrown.
    /// </summary>
    /// <param name="transient">Why an outcome is worth another try, or null when asking again would get the same answer.</param>
    /// <param name="serverWait">How long an outcome (a result, or an exception carrying a response) asks to be left alone, e.g. Retry-After; null for the backoff.</param>
    /// <param name="time">What the waits run on; tests pass one whose timers fire at once.</param>
    public ResiliencePipeline<T> Pipeline<T>(
        string what, Func<Outcome<T>, string?> transient, Func<Outcome<T>, TimeSpan?>? serverWait = null, TimeProvider? time = null) =>
        new ResiliencePipelineBuilder<T> { TimeProvider = time ?? TimeProvider.System }
            .AddRetry(new RetryStrategyOptions<T>
            {
                MaxRetryAttempts = Attempts - 1,
                Delay = FirstBackoff,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = Jitter,
                ShouldHandle = args => ValueTask.FromResult(transient(args.Outcome) is not null),
                // The server knows when it will answer better than the backoff guesses.
                DelayGenerator = args => ValueTask.FromResult(serverWait?.Invoke(args.Outcome)),
                OnRetry = args =>
                {
                    Log.Line($"{what}: {transient(args.Outcome)}; retrying in {args.RetryDelay.TotalSeconds:0.#} s (attempt {args.AttemptNumber + 2} of {Attempts})");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
}
