using System.Diagnostics;
using System.Threading.Channels;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace AgentSight.Plugins.Otlp;

/// <summary>
/// The spans on their way out: a bounded queue that never blocks the sink (past <c>queue_size</c> a new span is
/// dropped and counted), one task that sends batches with the SDK's OTLP exporter, retrying a failed batch with
/// backoff (200 ms doubling to 5 s, <c>max_retries</c>), and one exporter per resource (the agent's container).
/// </summary>
internal sealed class SpanExport : IAsyncDisposable
{
    /// <summary>Most resources (containers) with an exporter of their own; spans of further ones go under the host's resource.</summary>
    private const int MaxResources = 64;

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LastBackoff = TimeSpan.FromSeconds(5);

    private readonly OtlpSinkConfig _config;
    private readonly ILogger _log;
    private readonly Channel<(SpanRecord Span, ContainerIdentity? Container)> _queue;
    private readonly Dictionary<string, (TracerProvider Provider, OtlpTraceExporter Exporter)> _exporters = [];
    private readonly ExactActivities _activities;
    private readonly CancellationTokenSource _giveUp = new();
    private readonly CancellationTokenSource _stopNow = new();
    private readonly Counter _exported;
    private readonly Counter _failed;
    private readonly Counter _dropped;
    private readonly Counter _retries;
    private Task _loop = Task.CompletedTask;
    private bool _warned;
    private volatile bool _stopping;
    private volatile bool _everSucceeded;

    public SpanExport(OtlpSinkConfig config, IStageContext context)
    {
        _config = config;
        _log = context.Logger;
        _exported = context.Counter("spans_exported");
        _failed = context.Counter("spans_failed");
        _dropped = context.Counter("spans_dropped");
        _retries = context.Counter("export_retries");
        _queue = Channel.CreateBounded<(SpanRecord, ContainerIdentity?)>(
            new BoundedChannelOptions(config.QueueSize) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, SingleWriter = true },
            _ => _dropped.Add());
        _activities = new ExactActivities("AgentSight", typeof(SpanExport).Assembly.GetName().Version?.ToString(3));
    }

    /// <summary>Checks that exact ids can be exported on this runtime, then starts sending.</summary>
    public void Start()
    {
        _activities.Probe();
        _loop = Task.Run(SendAsync);
    }

    /// <summary>True once a batch reached the backend in this run.</summary>
    public bool BackendAnswered => _everSucceeded;

    /// <summary>True once a batch was sent (whatever came of it).</summary>
    public bool Attempted => _exported.Value + _failed.Value > 0;

    /// <summary>Queues a span; never waits.</summary>
    public void Add(SpanRecord span, ContainerIdentity? container) => _queue.Writer.TryWrite((span, container));

    /// <summary>
    /// Sends what is queued for at most <paramref name="drain"/>, then gives up: what is still queued is dropped
    /// and counted, and a batch in a retry wait counts as failed.
    /// </summary>
    public async Task StopAsync(TimeSpan drain)
    {
        _queue.Writer.TryComplete();
        _stopping = true;
        if (!_everSucceeded)
        {
            // Nothing went through in this run: waiting out the drain would only wait on a backend that is not there.
            // What is queued is still tried once each (a backend that just came up gets it), without backoff.
            await _stopNow.CancelAsync();
        }
        if (await Task.WhenAny(_loop, Task.Delay(drain)) != _loop)
        {
            await _giveUp.CancelAsync();
            // An export request in flight ends within its own timeout.
            await Task.WhenAny(_loop, Task.Delay(TimeSpan.FromMilliseconds(_config.TimeoutMs + 1000)));
        }
        var left = 0;
        while (_queue.Reader.TryRead(out _))
        {
            left++;
        }
        _dropped.Add(left);
        if (_failed.Value + _dropped.Value > 0)
        {
            _log.LogWarning("{Lost} of {Total} spans did not reach {Endpoint} ({Failed} failed after retries, {Dropped} dropped)",
                _failed.Value + _dropped.Value, _failed.Value + _dropped.Value + _exported.Value, _config.Endpoint, _failed.Value, _dropped.Value);
        }
    }

    private async Task SendAsync()
    {
        var batch = new List<(SpanRecord Span, ContainerIdentity? Container)>(_config.BatchSize);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_giveUp.Token))
            {
                batch.Clear();
                while (batch.Count < _config.BatchSize && reader.TryRead(out var item))
                {
                    batch.Add(item);
                }
                foreach (var group in batch.GroupBy(i => Key(i.Container)))
                {
                    await ExportAsync(group.Key, group.First().Container, [.. group.Select(i => i.Span)]);
                }
            }
        }
        catch (OperationCanceledException) when (_giveUp.IsCancellationRequested)
        {
            // Stopping: what is still queued is counted by StopAsync.
        }
    }

    private string Key(ContainerIdentity? container) =>
        container is null || (!_exporters.ContainsKey(container.ContainerId) && _exporters.Count >= MaxResources) ? "" : container.ContainerId;

    private async Task ExportAsync(string key, ContainerIdentity? container, SpanRecord[] spans)
    {
        var exporter = ExporterFor(key, key.Length == 0 ? null : container);
        var activities = spans.Select(_activities.Make).OfType<Activity>().ToArray();
        var backoff = FirstBackoff;
        for (var attempt = 0; ; attempt++)
        {
            ExportResult result;
            try
            {
                result = exporter.Export(new Batch<Activity>(activities, activities.Length));
            }
#pragma warning disable CA1031 // An exporter's failure must cost the run these spans, never the sink.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _log.LogDebug(ex, "OTLP export threw");
                result = ExportResult.Failure;
            }
            if (result == ExportResult.Success)
            {
                _everSucceeded = true;
                _exported.Add(activities.Length);
                return;
            }
            if (attempt >= _config.MaxRetries || _giveUp.IsCancellationRequested || (_stopping && !_everSucceeded))
            {
                _failed.Add(activities.Length);
                if (!_warned)
                {
                    _warned = true;
                    _log.LogWarning("Cannot export spans to {Endpoint} ({Protocol}); counting them as failed and going on", _config.Endpoint, _config.EffectiveProtocol);
                }
                return;
            }
            _retries.Add();
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(_giveUp.Token, _stopNow.Token);
                await Task.Delay(backoff, wait.Token);
            }
            catch (OperationCanceledException)
            {
                _failed.Add(activities.Length);
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, LastBackoff.Ticks));
        }
    }

    private OtlpTraceExporter ExporterFor(string key, ContainerIdentity? container)
    {
        if (_exporters.TryGetValue(key, out var known))
        {
            return known.Exporter;
        }
        var exporter = new OtlpTraceExporter(OtlpEndpoints.For(_config, "traces"));
        // The exporter takes its resource from the provider it belongs to: this provider gives it one and nothing
        // else (it listens to no source; spans go to the exporter straight from this queue).
        var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceAttributes.Build(_config, container))
            .AddProcessor(new SimpleActivityExportProcessor(exporter))
            .Build();
        _exporters[key] = (provider, exporter);
        return exporter;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _giveUp.CancelAsync();
        await Task.WhenAny(_loop, Task.Delay(TimeSpan.FromMilliseconds(_config.TimeoutMs + 1000)));
        foreach (var (provider, _) in _exporters.Values)
        {
            provider.Dispose();
        }
        _exporters.Clear();
        _activities.Dispose();
        _giveUp.Dispose();
        _stopNow.Dispose();
    }
}
