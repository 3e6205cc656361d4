using AgentSight.Host.Pipeline;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Runners;

/// <summary>Runs another runner, then keeps the session open until the user stops it: <c>serve</c> keeps serving.</summary>
internal sealed class HoldOpenRunner(IRunner inner, ILogger logger, string whenDone) : IRunner
{
    public string Name => inner.Name;

    public async Task RunAsync(PipelineInput input, RunnerMetrics metrics, CancellationToken stop)
    {
        await inner.RunAsync(input, metrics, stop);
        if (stop.IsCancellationRequested)
        {
            return;
        }
        logger.LogInformation("{Message}", whenDone);
        try
        {
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the session ends and the server stops with it.
        }
    }
}
