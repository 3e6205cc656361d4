using System.Diagnostics;
using AgentSight.Contracts;
using AgentSight.Host.Hosting;
using AgentSight.Host.Runners;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Pipeline;

/// <summary>One run: the pipeline of a plan, fed by runners until they finish or the user stops them, then drained.</summary>
/// <remarks>
/// The shutdown (the first signal, or the sources being done) is bounded by <see cref="PipelinePlan.ShutdownTimeout"/>:
/// a plugin call that never returns, in a constructor, <c>Process</c>, <c>Flush</c> or a sink, cannot keep the run
/// waiting forever. When the bound passes, the run names the stage inside a plugin call (the one holding everything
/// behind it), counts the events still queued as lost, and fails; the stuck call is abandoned with the process.
/// </remarks>
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
        using var bound = new ShutdownBound(plan.ShutdownTimeout, time, stop);
        var metrics = EventPipeline.CreateMetrics(plan, time);

        // Created and opened on the pool: a constructor or a StartAsync that never returns must not hold the first signal.
        var starting = Task.Run(() => EventPipeline.CreateAndStartAsync(plan, loggers, time, eventTime, metrics, stop), CancellationToken.None);
        if (!await bound.WaitAsync(starting, left => Waiting(metrics, [], left)))
        {
            return GiveUp(metrics, bound, [], started, []);
        }
        using var pipeline = await starting;
        RunTimings.Mark("pipeline: stages created, sinks opened");

        // Not disposed when the run gives up on a stuck stage: runners may still hold its token.
        var runnersStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var failed = new List<string>();
        var running = new List<(IRunner Runner, Task Task)>();
        foreach (var runner in runners)
        {
            running.Add((runner, RunOneAsync(runner, pipeline, runnersStop, failed)));
        }
        if (!await bound.WaitAsync(Task.WhenAll(running.Select(r => r.Task)), left => Waiting(metrics, StillRunning(running), left)))
        {
            return GiveUp(metrics, bound, StillRunning(running), started, failed);
        }
        runnersStop.Dispose();
        RunTimings.Mark("sources done");

        // The sources are done: the drain is the shutdown, bounded like one that a signal started.
        bound.Begin();
        var draining = pipeline.CompleteAsync();
        if (!await bound.WaitAsync(draining, left => Waiting(metrics, [], left)))
        {
            return GiveUp(metrics, bound, [], started, failed);
        }
        await draining;
        RunTimings.Mark("pipeline drained, sinks closed");

        var failures = pipeline.Failures();
        foreach (var failure in failures)
        {
            _log.LogError("{Kind} {Stage} (plugin {Plugin}) failed: {Reason}; {Consequence}",
                failure.Kind == PluginKind.Sink ? "Sink" : "Stage", failure.Id, failure.Plugin, failure.Reason, failure.Consequence);
        }
        var snapshot = pipeline.Metrics.Snapshot();
        return new SessionResult(snapshot, Stopwatch.GetElapsedTime(started), failed) { FailedStages = failures };
    }

    private async Task RunOneAsync(IRunner runner, EventPipeline pipeline, CancellationTokenSource runnersStop, List<string> failed)
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
    }

    private static List<string> StillRunning(List<(IRunner Runner, Task Task)> running) =>
        [.. running.Where(r => !r.Task.IsCompleted).Select(r => r.Runner.Name)];

    /// <summary>
    /// What holds the shutdown: the stages inside a plugin call (a stage waiting for room behind one is a victim, not a
    /// cause); failing those, runners that have not stopped.
    /// </summary>
    private static List<string> Holders(PipelineMetrics metrics, IReadOnlyList<string> runners)
    {
        var stages = metrics.Stages
            .Where(s => s.Call != PluginCall.None)
            .Select(s => $"{(s.Listing.Kind == PluginKind.Sink ? "sink" : "stage")} {s.Listing.Id} (plugin {s.Listing.Plugin}) has not returned from {s.Call}")
            .ToList();
        if (stages.Count > 0)
        {
            return stages;
        }
        return runners.Count > 0
            ? [.. runners.Select(r => $"runner {r} has not stopped")]
            : ["the stages have not finished draining"];
    }

    private void Waiting(PipelineMetrics metrics, IReadOnlyList<string> runners, TimeSpan left) =>
        _log.LogWarning("Shutdown is waiting: {Holders}; giving up in {Seconds:0.#} s (send the signal again to quit at once)",
            string.Join("; ", Holders(metrics, runners)), left.TotalSeconds);

    private SessionResult GiveUp(PipelineMetrics metrics, ShutdownBound bound, IReadOnlyList<string> runners, long started, List<string> failed)
    {
        var queued = metrics.Stages.Sum(s => (long)(s.Queue?.Count ?? 0));
        var stuck = new StuckShutdown(bound.Timeout, Holders(metrics, runners), queued);
        _log.LogError("Shutdown gave up after {Seconds} s: {Holders}; {Lost}", stuck.Seconds, string.Join("; ", stuck.Holders), stuck.Lost);
        var snapshot = metrics.Snapshot();
        metrics.Dispose();
        List<string> failedRunners;
        lock (failed)
        {
            failedRunners = [.. failed];
        }
        return new SessionResult(snapshot, Stopwatch.GetElapsedTime(started), failedRunners) { StuckShutdown = stuck };
    }
}
