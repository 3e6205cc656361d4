namespace AgentSight.Host.Pipeline;

/// <summary>
/// The bound on a shutdown: it starts at the first stop signal, or when the sources are done, and from then on every
/// wait of the run ends by the same deadline (<see cref="PipelinePlan.ShutdownTimeout"/>; zero waits forever).
/// </summary>
/// <remarks>
/// A plugin call cannot be interrupted; a stage inside one that never returns would otherwise keep the first Ctrl+C
/// waiting with no end and no word. With the bound, the run gives up, names the stage, and counts what it loses.
/// </remarks>
internal sealed class ShutdownBound : IDisposable
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private readonly CancellationTokenRegistration _onStop;
    private long _startedAt;

    public ShutdownBound(TimeSpan timeout, TimeProvider time, CancellationToken stop)
    {
        Timeout = timeout;
        _time = time;
        _onStop = stop.Register(Begin);
    }

    public TimeSpan Timeout { get; }

    /// <summary>Starts the clock, once (later calls do nothing).</summary>
    public void Begin()
    {
        var now = _time.GetTimestamp();
        if (Interlocked.CompareExchange(ref _startedAt, now, 0) == 0)
        {
            _started.TrySetResult();
        }
    }

    /// <summary>
    /// Waits for <paramref name="task"/>: without limit until the shutdown starts, then until the deadline. True when it
    /// finished; false when the deadline came first.
    /// </summary>
    /// <param name="task">What to wait for.</param>
    /// <param name="notice">Called once, part way to the deadline, while still waiting (to say what holds it).</param>
    public async Task<bool> WaitAsync(Task task, Action<TimeSpan>? notice = null)
    {
        await Task.WhenAny(task, _started.Task);
        if (task.IsCompleted || Timeout <= TimeSpan.Zero)
        {
            await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return true;
        }
        var noticeAt = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, Timeout.Ticks / 2));
        if (notice is not null && Elapsed < noticeAt)
        {
            await Task.WhenAny(task, Task.Delay(noticeAt - Elapsed, _time));
            if (!task.IsCompleted)
            {
                notice(Remaining);
            }
        }
        await Task.WhenAny(task, Task.Delay(Remaining, _time));
        return task.IsCompleted;
    }

    private TimeSpan Elapsed => _time.GetElapsedTime(Interlocked.Read(ref _startedAt));

    private TimeSpan Remaining => Timeout - Elapsed is { Ticks: > 0 } left ? left : TimeSpan.Zero;

    public void Dispose() => _onStop.Dispose();
}
