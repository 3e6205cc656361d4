namespace AgentSight.Host.Pipeline;

/// <summary>A validated pipeline: the analyzers in chain order, the sinks, and every stage for display.</summary>
internal sealed record PipelinePlan(
    IReadOnlyList<StagePlan> Analyzers,
    IReadOnlyList<StagePlan> Sinks,
    IReadOnlyList<StageListing> Disabled)
{
    /// <summary>How long a shutdown may take when nothing says otherwise.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the stages have to drain once the run is asked to stop (or its sources are done) before the run gives
    /// up on a stage that does not return (<c>shutdown_timeout_s</c>, <c>--shutdown-timeout</c>); zero waits forever.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; init; } = DefaultShutdownTimeout;
}
