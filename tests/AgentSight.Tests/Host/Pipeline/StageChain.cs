using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AgentSight.Tests.Pipeline;

/// <summary>
/// A plan of in-test factories with the plugin names a manifest would give them (the host treats some names, such as
/// <c>redact</c>, specially), run through <see cref="PipelineSession"/> as a command runs it.
/// </summary>
internal sealed class StageChain
{
    private readonly List<StagePlan> _stages = [];

    public RecordingLogger Log { get; } = new();

    public TimeSpan ShutdownTimeout { get; init; } = PipelinePlan.DefaultShutdownTimeout;

    public StageChain Add(IPluginFactory factory, string id, string? plugin = null, OnError? onError = null, int maxFailures = 0, int capacity = 64)
    {
        var settings = new StageSettings(capacity, Backpressure.Block, maxFailures,
            onError ?? (factory as IAnalyzerFactory)?.DefaultOnError ?? OnError.Pass);
        _stages.Add(new StagePlan(id, plugin ?? id, _stages.Count + 1, factory, factory.CreateDefaultConfig(), settings));
        return this;
    }

    /// <summary>A stage of the redaction role (a plugin named <c>redact</c>), failing closed as the real one does, that passes every event.</summary>
    public StageChain AddRedact() =>
        Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer(), OnError.Drop, [StageRoles.Redaction]), "redact", "redact", OnError.Drop);

    public PipelinePlan Plan() => new(
        [.. _stages.Where(s => s.Kind == PluginKind.Analyzer)],
        [.. _stages.Where(s => s.Kind == PluginKind.Sink)],
        []) { ShutdownTimeout = ShutdownTimeout };

    public ILoggerFactory Loggers => new SingleLoggerFactory(Log);

    /// <summary>Runs the chain with <paramref name="runner"/> as its only source, as a command would.</summary>
    public Task<SessionResult> RunAsync(IRunner runner, CancellationToken stop = default) =>
        new PipelineSession(Loggers, TimeProvider.System).RunAsync(Plan(), [runner], eventTime: true, stop);

    /// <summary>Runs the chain over <paramref name="events"/>.</summary>
    public Task<SessionResult> RunAsync(IEnumerable<AgentEvent> events, CancellationToken stop = default) =>
        RunAsync(new ListRunner(events), stop);

    /// <summary>Every log line as a user would read it: the message, then the exception as the console shows it.</summary>
    public string Text => string.Join("\n", Log.Entries.Select(e => e.Message + (e.Exception is null ? string.Empty : "\n" + e.Exception)));

    private sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => logger;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>A source that writes a list of events, then (optionally) waits for the stop signal.</summary>
internal sealed class ListRunner(IEnumerable<AgentEvent> events, bool waitForStop = false) : IRunner
{
    public string Name => "list";

    public async Task RunAsync(PipelineInput input, RunnerMetrics metrics, CancellationToken stop)
    {
        foreach (var evt in events)
        {
            await input.WriteAsync(evt, metrics);
        }
        if (waitForStop)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, stop);
            }
            catch (OperationCanceledException)
            {
                // Stopped: the run drains.
            }
        }
    }
}
