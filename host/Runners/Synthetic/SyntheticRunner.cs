using AgentSight.Host.Pipeline;
using AgentSight.Traffic;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Runners.Synthetic;

/// <summary>
/// Feeds the pipeline with generated LLM traffic (see <see cref="SyntheticTraffic"/>), for demos and tests without
/// eBPF. Calls are spaced <see cref="SyntheticOptions.IntervalMs"/> apart in wall-clock time; their timestamps follow
/// realistic latencies from the start time whatever the spacing.
/// </summary>
internal sealed class SyntheticRunner : IRunner
{
    private readonly SyntheticOptions _options;
    private readonly ILogger<SyntheticRunner> _logger;
    private readonly TimeProvider _time;
    private readonly EventTimeClock? _clock;

    /// <summary>Creates the runner.</summary>
    /// <param name="options">What to generate; validated here.</param>
    /// <param name="logger">A line at the start and one at the end.</param>
    /// <param name="time">For the pacing and the default start time (now); default system.</param>
    /// <param name="clock">When the pipeline runs on event time, moved to each event's timestamp once written.</param>
    public SyntheticRunner(SyntheticOptions options, ILogger<SyntheticRunner> logger, TimeProvider? time = null, EventTimeClock? clock = null)
    {
        options.Validate();
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _clock = clock;
    }

    public string Name => "synthetic";

    public async Task RunAsync(PipelineInput input, RunnerMetrics metrics, CancellationToken stop)
    {
        var start = _options.StartTime ?? (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        var options = new SyntheticOptions
        {
            Count = _options.Count,
            IntervalMs = _options.IntervalMs,
            Provider = _options.Provider,
            Seed = _options.Seed,
            StartTime = start,
        };
        _logger.LogInformation("Generating {Count} synthetic LLM calls (provider {Provider}, seed {Seed}, {Interval} ms apart)",
            options.Count, SyntheticProviders.Name(options.Provider), options.Seed, options.IntervalMs);

        var interval = TimeSpan.FromMilliseconds(options.IntervalMs);
        var calls = 0;
        var events = 0L;
        var lastCall = -1;
        try
        {
            foreach (var episode in new SyntheticTraffic(options).Episodes())
            {
                for (var i = 0; i < episode.Events.Count; i++)
                {
                    var call = episode.CallIndexes[i];
                    if (call > lastCall)
                    {
                        if (lastCall >= 0 && interval > TimeSpan.Zero)
                        {
                            await Task.Delay(interval, _time, stop);
                        }
                        lastCall = call;
                        calls++;
                    }
                    var evt = episode.Events[i];
                    // Not cancellable: an event produced is an event kept.
                    await input.WriteAsync(evt, metrics);
                    _clock?.Advance(evt.Timestamp);
                    events++;
                    if (stop.IsCancellationRequested)
                    {
                        _logger.LogInformation("Synthetic traffic stopped after {Events} events of {Calls} calls", events, calls);
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            _logger.LogInformation("Synthetic traffic stopped after {Events} events of {Calls} calls", events, calls);
            return;
        }
        _logger.LogInformation("Generated {Calls} synthetic LLM calls in {Events} events", calls, events);
    }
}
