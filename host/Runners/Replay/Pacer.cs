using AgentSight.Host.Pipeline;

namespace AgentSight.Host.Runners.Replay;

/// <summary>Holds events back so they come out spaced as recorded, divided by the speed factor.</summary>
/// <remarks>
/// Each event is due at (its timestamp − the first event's) / speed after the first one was released, so waiting
/// never accumulates drift; an event already late goes out at once, and so does one older than the first.
/// </remarks>
internal sealed class Pacer(double speed, TimeProvider time)
{
    /// <summary>Task.Delay refuses waits of about 49 days and more; long gaps are waited in steps.</summary>
    private static readonly TimeSpan LongestStep = TimeSpan.FromDays(1);

    private bool _started;
    private long _firstTimestamp;
    private long _startedAt;

    public ValueTask WaitForAsync(long timestamp, CancellationToken cancellationToken)
    {
        if (speed <= 0)
        {
            return ValueTask.CompletedTask;
        }
        if (!_started)
        {
            _started = true;
            _firstTimestamp = timestamp;
            _startedAt = time.GetTimestamp();
            return ValueTask.CompletedTask;
        }
        var due = TimeSpan.FromTicks((long)Math.Min((timestamp - (double)_firstTimestamp) / speed / 100, TimeSpan.MaxValue.Ticks / 2));
        return due > time.GetElapsedTime(_startedAt) ? WaitUntilAsync(due, cancellationToken) : ValueTask.CompletedTask;
    }

    private async ValueTask WaitUntilAsync(TimeSpan due, CancellationToken cancellationToken)
    {
        for (var wait = due - time.GetElapsedTime(_startedAt); wait > TimeSpan.Zero; wait = due - time.GetElapsedTime(_startedAt))
        {
            await Delays.For(wait < LongestStep ? wait : LongestStep, time, cancellationToken);
        }
    }
}
