namespace AgentSight.Plugins.Common.Storage;

/// <summary>
/// When to try writing again after a failure (a full disk, a quota, an I/O error): 50 ms, doubling up to 5 s, and
/// back to 50 ms after a success. A sink that failed retries on this schedule instead of at every event, so a full
/// disk costs a few attempts a second, not thousands, and space freed later is used within 5 s.
/// </summary>
public sealed class RetrySchedule(TimeProvider time)
{
    /// <summary>The first wait after a failure.</summary>
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest wait between two attempts.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(5);

    private TimeSpan _wait = First;
    private long _failedAt;
    private long _dueAt;

    /// <summary>True between a failure and the next success.</summary>
    public bool Failing { get; private set; }

    /// <summary>How long the next attempt is to wait (the current step of the schedule).</summary>
    public TimeSpan Wait => _wait;

    /// <summary>True when not failing, or when the wait after the last failure is over.</summary>
    public bool Due => !Failing || time.GetTimestamp() >= _dueAt;

    /// <summary>How long writing has been failing.</summary>
    public TimeSpan FailingFor => Failing ? time.GetElapsedTime(_failedAt) : TimeSpan.Zero;

    /// <summary>Records a failed attempt; returns how long to wait before the next one (doubled from the last).</summary>
    public TimeSpan Failed()
    {
        var now = time.GetTimestamp();
        if (!Failing)
        {
            Failing = true;
            _failedAt = now;
            _wait = First;
        }
        else
        {
            _wait = TimeSpan.FromTicks(Math.Min(_wait.Ticks * 2, Longest.Ticks));
        }
        var wait = _wait;
        _dueAt = now + (long)(wait.TotalSeconds * time.TimestampFrequency);
        return wait;
    }

    /// <summary>Records a success: the next failure starts the schedule over.</summary>
    public void Succeeded()
    {
        Failing = false;
        _wait = First;
    }
}
