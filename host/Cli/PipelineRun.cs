using AgentSight.Host.Hosting;
using AgentSight.Host.Manifest;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Cli;

/// <summary>What every pipeline command does: validate everything, run the sources through the pipeline, report.</summary>
internal static class PipelineRun
{
    /// <param name="settings">Global settings.</param>
    /// <param name="overrides">Per-run manifest changes.</param>
    /// <param name="printSummary">Print the summary table at the end.</param>
    /// <param name="eventTime">True for replays: stage clocks follow event time.</param>
    /// <param name="createRunners">Creates the sources once the plan is known to be valid.</param>
    /// <param name="childOwnsInterrupt">A runner runs a foreground command that owns Ctrl+C (see <see cref="ShutdownSignal"/>).</param>
    /// <param name="prepare">
    /// Runs once the host's services exist and before the pipeline is planned (it may change the overrides); a message
    /// and exit code stop the run there.
    /// </param>
    /// <param name="banner">A line printed once every check has passed, before anything starts (<c>recording to FILE</c>).</param>
    /// <param name="stop">When it completes, the run ends as at a first Ctrl+C (everything accepted is drained): <c>top</c>'s q.</param>
    /// <param name="finish">Runs at the end, before the host's services (logging) are disposed: waits for what a source still closes.</param>
    public static async Task<int> ExecuteAsync(HostSettings settings, PipelineOverrides overrides, bool printSummary, bool eventTime,
        Func<IServiceProvider, IReadOnlyList<IRunner>> createRunners, bool childOwnsInterrupt = false,
        Func<IServiceProvider, (string Message, int ExitCode)?>? prepare = null, string? banner = null, Task? stop = null,
        Action? finish = null)
    {
        RunTimings.Mark("command's options checked");
        using var services = HostServices.Build(settings);
        // Declared after the services, so disposed before them.
        using var finishing = new Finally(finish);
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentSight");
        RunTimings.Mark("host services and logging set up");
        if (prepare?.Invoke(services) is { } refusal)
        {
            await Console.Error.WriteLineAsync($"agentsight: {refusal.Message}");
            return refusal.ExitCode;
        }
        var problems = new List<ManifestProblem>();
        var plan = services.GetRequiredService<PipelineLoader>().Load(overrides, problems);
        RunTimings.Mark("manifest read, plugins loaded, pipeline planned");
        if (plan is null)
        {
            ProblemReport.Print(problems);
            return ExitCodes.Usage;
        }
        // Before any sink opens anything: what happens to outputs that already hold a session, one rule for every sink.
        if (ExistingOutputs.Decide(plan) is { } decision)
        {
            if (decision.Refused)
            {
                await Console.Error.WriteLineAsync($"agentsight: {decision.Message}");
                return ExitCodes.Usage;
            }
            log.LogInformation("{Message}", decision.Message);
        }
        if (banner is not null)
        {
            await Console.Error.WriteLineAsync(banner);
        }

        using var signal = new ShutdownSignal(log, childOwnsInterrupt);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(signal.Token);
        _ = stop?.ContinueWith(_ =>
        {
            try
            {
                stopping.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Asked after the run had ended: nothing left to stop.
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        SessionResult result;
        // The host's own CPU while events flow (start-up before it excluded): what a traced run costs the machine.
        var cpuBefore = Environment.CpuUsage.TotalTime;
        try
        {
            result = await services.GetRequiredService<PipelineSession>().RunAsync(plan, createRunners(services), eventTime, stopping.Token);
        }
        catch (PipelineStartException ex)
        {
            log.LogError("Cannot start: {Reason}", ex.Message);
            return ExitCodes.Failure;
        }
        if (printSummary)
        {
            await Console.Error.WriteAsync(SummaryTable.Format(result, Environment.CpuUsage.TotalTime - cpuBefore));
            RunTimings.Mark("summary printed");
        }
        // A failed source, a sink taken out (its events were not written) or a shutdown given up on: the run failed.
        return result.Succeeded ? ExitCodes.Success : ExitCodes.Failure;
    }

    private sealed class Finally(Action? action) : IDisposable
    {
        public void Dispose() => action?.Invoke();
    }
}
