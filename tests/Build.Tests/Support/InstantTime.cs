namespace TracerBuild.Tests;

/// <summary>A clock whose timers fire at once and remember what they were set to: retries run without waiting.</summary>
public sealed class InstantTime : TimeProvider
{
    private readonly List<TimeSpan> _waits = [];

    public IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (_waits)
                return [.. _waits];
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_waits)
            _waits.Add(dueTime);
        return System.CreateTimer(callback, state, TimeSpan.Zero, period);
    }
}
