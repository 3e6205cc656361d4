using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace AgentSight.Plugins.Otlp;

/// <summary>
/// The metrics: the GenAI client metrics of each <c>llm</c> event (<c>gen_ai.client.token.usage</c>,
/// <c>gen_ai.client.operation.duration</c>), its cost, and every counter of the pipeline (events each stage dropped
/// or failed on, the sources' and stages' own counters: every loss the summary table shows), exported by the SDK's
/// periodic reader every <c>metric_interval_ms</c> and once more at the end.
/// </summary>
internal sealed class OtlpMetrics : IDisposable
{
    /// <summary>The buckets the GenAI conventions advise for token counts.</summary>
    private static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    /// <summary>The buckets the GenAI conventions advise for call durations, in seconds.</summary>
    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    private readonly Meter _meter;
    private readonly MeterProvider _provider;
    private readonly Histogram<long> _tokens;
    private readonly Histogram<double> _duration;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _costUnknown;
    private readonly IPipelineMetrics _pipeline;
    private readonly ILogger _log;
    private readonly AgentSight.Contracts.Counter _flushFailed;

    public OtlpMetrics(OtlpSinkConfig config, IStageContext context)
    {
        _pipeline = context.Metrics;
        _log = context.Logger;
        _flushFailed = context.Counter("metrics_flush_failed");
        // The scope a backend shows these metrics under. (Two otlp stages in one manifest would each export both meters.)
        _meter = new Meter("AgentSight", typeof(OtlpMetrics).Assembly.GetName().Version?.ToString(3));
        _tokens = _meter.CreateHistogram("gen_ai.client.token.usage", "{token}", "Tokens used by a call to a model",
            tags: null, advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        _duration = _meter.CreateHistogram("gen_ai.client.operation.duration", "s", "Duration of a call to a model, from the end of the request to the end of the response",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _cost = _meter.CreateCounter<double>("agentsight.gen_ai.cost", "USD", "Cost of calls to models, by the cost stage's price table");
        _costUnknown = _meter.CreateCounter<long>("agentsight.gen_ai.cost.unknown", "{call}", "Calls whose model had no price: their cost is unknown, not 0");
        _meter.CreateObservableCounter("agentsight.pipeline.events.dropped", () => Stages(s => s.Dropped), "{event}",
            "Events a stage's queue dropped, or a removed sink did not take");
        _meter.CreateObservableCounter("agentsight.pipeline.events.failed", () => Stages(s => s.Failed), "{event}",
            "Events on which a stage's plugin threw");
        _meter.CreateObservableCounter("agentsight.pipeline.events.out", () => Stages(s => s.Out), "{event}",
            "Events a stage emitted (analyzers) or wrote (sinks)");
        _meter.CreateObservableCounter("agentsight.pipeline.source.events", SourceEvents, "{event}", "Events a source put on the bus");
        _meter.CreateObservableCounter("agentsight.pipeline.counter", Counters, "{count}",
            "Every named counter of the sources (ring_full, bad_lines, unseen_connections…) and the stages (evictions, drops…)");
        var exporter = new OtlpMetricExporter(OtlpEndpoints.For(config, "metrics"));
        _provider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceAttributes.Build(config, null))
            .AddMeter(_meter.Name)
            .AddReader(new PeriodicExportingMetricReader(exporter, config.MetricIntervalMs, config.TimeoutMs))
            .Build();
    }

    /// <summary>Records an <c>llm</c> event's usage, duration and cost.</summary>
    public void Record(ReadOnlyJson call, ContainerIdentity? container)
    {
        var tags = new TagList();
        foreach (var key in (string[])["gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", "gen_ai.response.model", "server.address", "error.type"])
        {
            if (SpanEventReader.Text(call[key]) is { } value)
            {
                tags.Add(key, value);
            }
        }
        if (container is not null)
        {
            tags.Add("container.id", container.ContainerId);
        }
        if (SpanEventReader.Number(call["gen_ai.usage.input_tokens"]) is { } input)
        {
            var inputTags = tags;
            inputTags.Add("gen_ai.token.type", "input");
            _tokens.Record(input, inputTags);
        }
        if (SpanEventReader.Number(call["gen_ai.usage.output_tokens"]) is { } output)
        {
            var outputTags = tags;
            outputTags.Add("gen_ai.token.type", "output");
            _tokens.Record(output, outputTags);
        }
        if (SpanEventReader.Real(call["duration_ms"]) is { } ms && double.IsFinite(ms) && ms >= 0)
        {
            _duration.Record(ms / 1000, tags);
        }
        if (call["cost"] is { ValueKind: JsonValueKind.Object } cost)
        {
            if (SpanEventReader.Real(cost["usd"]) is { } dollars && double.IsFinite(dollars))
            {
                _cost.Add(dollars, tags);
            }
            else if (cost["unknown"].ValueKind == JsonValueKind.True)
            {
                _costUnknown.Add(1, tags);
            }
        }
    }

    /// <summary>Exports what was recorded for at most <paramref name="bound"/>.</summary>
    public void Flush(TimeSpan bound)
    {
        if (!_provider.ForceFlush((int)Math.Max(1, bound.TotalMilliseconds)))
        {
            _flushFailed.Add();
            _log.LogWarning("The last metrics did not reach the backend within {Bound} ms", (int)bound.TotalMilliseconds);
        }
    }

    private IEnumerable<Measurement<long>> Stages(Func<StageMetricsSnapshot, long> value) =>
        _pipeline.Snapshot().Stages.Where(s => s.State != StageState.Disabled)
            .Select(s => new Measurement<long>(value(s), new KeyValuePair<string, object?>("agentsight.stage", s.Id), new("agentsight.plugin", s.Plugin)));

    private IEnumerable<Measurement<long>> SourceEvents() =>
        _pipeline.Snapshot().Sources.Select(s => new Measurement<long>(s.Produced, new KeyValuePair<string, object?>("agentsight.source", s.Name)));

    private IEnumerable<Measurement<long>> Counters()
    {
        var snapshot = _pipeline.Snapshot();
        foreach (var source in snapshot.Sources)
        {
            foreach (var (name, value) in source.Counters)
            {
                yield return new Measurement<long>(value, new KeyValuePair<string, object?>("agentsight.source", source.Name), new("agentsight.counter", name));
            }
        }
        foreach (var stage in snapshot.Stages.Where(s => s.State != StageState.Disabled))
        {
            foreach (var (name, value) in stage.Counters)
            {
                yield return new Measurement<long>(value, new KeyValuePair<string, object?>("agentsight.stage", stage.Id), new("agentsight.counter", name));
            }
        }
    }

    public void Dispose()
    {
        // Shutdown exports once more: bounded by the exporter's timeout, already flushed by Flush.
        _provider.Shutdown(1000);
        _provider.Dispose();
        _meter.Dispose();
    }
}
