using AgentSight.Host.Pipeline;

namespace AgentSight.Host.Runners;

/// <summary>A source of events: reads a recording, generates traffic, or (later) drains kernel ring buffers.</summary>
/// <remarks>
/// A runner writes into the pipeline until it has nothing more or <c>stop</c> is signalled, then returns. It never
/// completes the pipeline itself: the host does, once every runner has returned, and then drains every stage.
/// Every event handed to <see cref="PipelineInput.WriteAsync"/> before it returns reaches the sinks.
/// </remarks>
internal interface IRunner
{
    /// <summary>The runner's name in metrics and logs, e.g. <c>replay</c>.</summary>
    string Name { get; }

    /// <summary>Produces events until done or <paramref name="stop"/> is cancelled.</summary>
    Task RunAsync(PipelineInput input, RunnerMetrics metrics, CancellationToken stop);
}
