using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Tests.Support;

/// <summary>Builds a pipeline from in-test factories and feeds it, as the host would, without loading assemblies.</summary>
internal sealed class PipelineHarness
{
    private readonly List<(IPluginFactory Factory, StageSettings Settings, string Id)> _stages = [];

    public ILoggerFactory Loggers { get; init; } = NullLoggerFactory.Instance;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public bool EventTime { get; init; } = true;

    public PipelineHarness Add(IPluginFactory factory, string? id = null, int capacity = 64, Backpressure backpressure = Backpressure.Block,
        int maxFailures = 0, OnError? onError = null, bool ownQueue = false)
    {
        var settings = new StageSettings(capacity, backpressure, maxFailures,
            onError ?? (factory as IAnalyzerFactory)?.DefaultOnError ?? OnError.Pass, ownQueue);
        _stages.Add((factory, settings, id ?? $"stage{_stages.Count + 1}"));
        return this;
    }

    internal PipelinePlan Plan()
    {
        var plans = _stages.Select((s, i) => new StagePlan(s.Id, "test-" + s.Id, i + 1, s.Factory, s.Factory.CreateDefaultConfig(), s.Settings)).ToList();
        return new PipelinePlan(
            [.. plans.Where(p => p.Kind == PluginKind.Analyzer)],
            [.. plans.Where(p => p.Kind == PluginKind.Sink)],
            []);
    }

    internal EventPipeline Build() => EventPipeline.Create(Plan(), Loggers, Time, EventTime);

    /// <summary>Runs <paramref name="events"/> through the whole pipeline and drains it; returns the final counters.</summary>
    public async Task<PipelineMetricsSnapshot> RunAsync(IEnumerable<AgentEvent> events)
    {
        using var pipeline = Build();
        await pipeline.StartAsync(CancellationToken.None);
        var metrics = new RunnerMetrics("test");
        pipeline.Metrics.AddSource(metrics);
        foreach (var evt in events)
        {
            await pipeline.Input.WriteAsync(evt, metrics);
        }
        await pipeline.CompleteAsync();
        return pipeline.Metrics.Snapshot();
    }

    public static int Seq(AgentEvent evt) => evt.Fields!["seq"]!.GetValue<int>();

    public static int Seq(ReadOnlyEvent evt) => evt.Fields["seq"].TryGetValue(out int seq) ? seq : throw new InvalidOperationException($"{evt} has no seq");

    public static AgentEvent Numbered(int seq, long timestamp) =>
        new(timestamp, "seq", 1, 1, "seq", new JsonPayload(new JsonObject { ["seq"] = seq }));
}
