using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners;

namespace AgentSight.Tests.Runners;

/// <summary>Runs a runner against a collecting pipeline entrance, as the host does.</summary>
internal static class RunnerHarness
{
    public static async Task<(IReadOnlyList<AgentEvent> Events, RunnerMetrics Metrics)> RunAsync(IRunner runner,
        CollectingTarget? target = null, CancellationToken stop = default)
    {
        target ??= new CollectingTarget();
        var metrics = new RunnerMetrics(runner.Name);
        await runner.RunAsync(new PipelineInput(target), metrics, stop);
        return (target.Events, metrics);
    }

    /// <summary>The event as our NDJSON line, for comparing events whole.</summary>
    public static string Line(AgentEvent evt) => AgentEventJson.ToJson(evt);
}
