using System.Diagnostics;
using AgentSight.Contracts;
using AgentSight.Host.Runners;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Pipeline;

/// <summary>One run: the pipeline of a plan, fed by runners until they finish or the user stops them, then drained.</summary>
internal sealed class PipelineSession(ILoggerFactory loggers, TimeProvider time)
{
    private readonly ILogger _log = loggers.CreateLogger("AgentSight.Session");

    /// <summary>Runs to the end and returns the final counters. Throws <see cref="PipelineStartException"/> when a stage cannot start.</summary>
    /// <param name="plan">The validated pipeline.</param>
    /// <param name="runners">The sources; they run concurrently.</param>
    /// <param name="eventTime">True for replays (stage clocks follow event time).</param>
    /// <param name="stop">Signalled on SIGINT/SIGTERM: runners stop reading, everything accepted is drained.</param>
    public async Task<SessionResult> RunAsync(PipelinePlan plan, IReadOnlyList<IRunner> runners, bool eventTime, CancellationToken stop)
    {
        var started = Stopwatch.GetTimestamp();
        using var pipeline = EventPipeline.Create(plan, loggers, time, eventTime);
        await pipeline.StartAsync(stop);

        using var runnersStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var failed = new List<string>();
        var tasks = runners.Select(async runner =>
        {
            var metrics = new RunnerMetrics(runner.Name);
            pipeline.Metrics.AddSource(metrics);
            try
            {
                await runner.RunAsync(pipeline.Input, metrics, runnersStop.Token);
            }
            catch (OperationCanceledException) when (runnersStop.IsCancellationRequested)
            {
                // Stopped on request: what it produced is drained below.
            }
            catch (Exception ex)
            {
                lock (failed)
                {
                    failed.Add(runner.Name);
                }
                _log.LogError("Runner {Runner} failed: {Reason}", runner.Name, ex.Message);
                _log.LogDebug(ex, "Runner {Runner} failure details", runner.Name);
                // One source failing ends the session: the others stop and everything already read is kept.
                await runnersStop.CancelAsync();
            }
        }).ToList();
        await Task.WhenAll(tasks);

        await pipeline.CompleteAsync();
        var snapshot = pipeline.Metrics.Snapshot();
        return new SessionResult(snapshot, Stopwatch.GetElapsedTime(started), failed);
    }
}
