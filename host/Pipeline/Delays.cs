namespace AgentSight.Host.Pipeline;

/// <summary>
/// The host's timed waits. <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> truncates a wait to
/// whole milliseconds, so a wait under one ended at once: a loop waiting for a deadline spun through its last
/// millisecond (the sinks' flush gap and the analyzer chain's timers woke some 30,000 times in a 20,000-request
/// recording; docs/PERFORMANCE.md, "Stop 29"). Every wait here is rounded up instead.
/// </summary>
internal static class Delays
{
    /// <summary>Waits at least <paramref name="wait"/>, rounded up to the next whole millisecond.</summary>
    public static Task For(TimeSpan wait, TimeProvider time, CancellationToken cancellationToken = default) =>
        Task.Delay(RoundedUp(wait), time, cancellationToken);

    /// <summary><paramref name="wait"/> rounded up to whole milliseconds (zero and less stay as they are).</summary>
    public static TimeSpan RoundedUp(TimeSpan wait) =>
        wait <= TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds));
}
