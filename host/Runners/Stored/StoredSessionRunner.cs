using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Runners.Stored;

/// <summary>
/// Puts a session stored by a plugin back on the bus, through the plugin's own reader (<see cref="ISessionReader"/>):
/// the host knows neither the file's format nor the library that reads it.
/// </summary>
/// <param name="reader">The factory of the plugin that recognized the file.</param>
/// <param name="plugin">Its name, for the runner's name in the summary (<c>stored:PLUGIN</c>).</param>
/// <param name="path">The stored session.</param>
/// <param name="clock">Moved to each event's timestamp once written: the pipeline runs on event time.</param>
/// <param name="logger">For the reader's progress and skipped rows.</param>
internal sealed class StoredSessionRunner(ISessionReader reader, string plugin, string path, EventTimeClock clock, ILogger logger) : IRunner
{
    public string Name => "stored:" + plugin;

    public async Task RunAsync(PipelineInput input, RunnerMetrics metrics, CancellationToken stop)
    {
        await foreach (var evt in reader.ReadAsync(path, new ReadContext(logger, metrics), stop))
        {
            // Not cancellable: an event read is an event kept.
            await input.WriteAsync(evt, metrics);
            clock.Advance(evt.Timestamp);
        }
    }

    /// <summary>The reader's logger, and its counters among the runner's.</summary>
    private sealed class ReadContext(ILogger logger, RunnerMetrics metrics) : ISessionReadContext
    {
        public ILogger Logger => logger;

        public Counter Counter(string name) => metrics.Counter(name);
    }
}
