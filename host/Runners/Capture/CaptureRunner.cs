using AgentSight.Host.Capture;
using AgentSight.Host.Pipeline;

namespace AgentSight.Host.Runners.Capture;

/// <summary>
/// The <c>ssl</c> or <c>process</c> runner: one face of a <see cref="CaptureHub"/>, so that each source has its own
/// counters in the summary while both share one set of BPF programs, one tracked process tree and one polling thread.
/// </summary>
internal sealed class CaptureRunner(string name, CaptureHub hub) : IRunner
{
    public string Name => name;

    public Task RunAsync(PipelineInput input, RunnerMetrics metrics, CancellationToken stop) => hub.RunAsync(name, input, metrics, stop);
}
