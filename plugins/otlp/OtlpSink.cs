using System.Diagnostics;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.Otlp;

/// <summary>
/// Sends the session to an OpenTelemetry backend: spans (from <c>span</c> events, or made here from <c>llm</c> and
/// <c>process</c> events), metrics, and optionally every event as a log record. Nothing here waits on the network:
/// <see cref="Write"/> only queues, one task exports, and the stop is bounded by <c>drain_timeout_ms</c>.
/// </summary>
internal sealed class OtlpSink : ISink, IAsyncDisposable
{
    /// <summary>How long a derived span waits under <c>derived_spans: auto</c> for a trace analyzer's span to make it needless.</summary>
    internal static readonly TimeSpan HoldTime = TimeSpan.FromSeconds(2);

    private readonly OtlpSinkConfig _config;
    private readonly IStageContext _context;
    private readonly ContainerLookup _containers;
    private readonly DerivedSpans? _derived;
    private readonly Queue<(SpanRecord Span, long HeldAt)> _held = new();
    private readonly Counter _invalid;
    private readonly Counter _superseded;
    private SpanExport? _spans;
    private OtlpMetrics? _metrics;
    private EventLogs? _logs;
    private bool _sawSpanEvents;
    private bool _stopped;
    private bool _warnedInvalid;

    public OtlpSink(OtlpSinkConfig config, IStageContext context)
    {
        _config = config;
        _context = context;
        _containers = new ContainerLookup();
        _derived = config.Traces && config.DerivedSpans != "never" ? new DerivedSpans(config.CaptureContent) : null;
        _invalid = context.Counter("spans_invalid");
        _superseded = context.Counter("derived_spans_superseded");
    }

    public ValueTask StartAsync(CancellationToken cancellationToken)
    {
        if (_config.Traces)
        {
            _spans = new SpanExport(_config, _context);
            _spans.Start();
        }
        if (_config.Metrics)
        {
            _metrics = new OtlpMetrics(_config, _context);
        }
        if (_config.Logs)
        {
            _logs = new EventLogs(_config, _context);
        }
        _context.Logger.LogInformation("Exporting to {Endpoint} over {Protocol}: {Signals}", _config.Endpoint, _config.EffectiveProtocol,
            string.Join(", ", new[] { _config.Traces ? "traces" : null, _config.Metrics ? "metrics" : null, _config.Logs ? "logs" : null }.OfType<string>()));
        return ValueTask.CompletedTask;
    }

    public void Write(ReadOnlyEvent evt)
    {
        _containers.See(evt);
        _logs?.Write(evt);
        if (evt.Source == EventSources.Llm && evt.HasFields)
        {
            _metrics?.Record(evt.Fields, _containers.Of(evt.Pid));
        }
        if (_spans is null)
        {
            return;
        }
        if (evt.Source == EventSources.Span)
        {
            if (!_sawSpanEvents && _config.DerivedSpans == "auto")
            {
                // A trace analyzer runs: its spans replace the ones made here.
                _sawSpanEvents = true;
                _superseded.Add(_held.Count);
                _held.Clear();
            }
            if (SpanEventReader.Read(evt, _config.CaptureContent, out var problem) is { } span)
            {
                _spans.Add(span, _containers.Of(span.Pid));
            }
            else
            {
                _invalid.Add();
                if (!_warnedInvalid)
                {
                    _warnedInvalid = true;
                    _context.Logger.LogWarning("A span event was not exported: {Problem} (further ones are counted as spans_invalid)", problem);
                }
            }
        }
        else if (_derived is not null && (_config.DerivedSpans == "always" || !_sawSpanEvents))
        {
            foreach (var span in _derived.Take(evt))
            {
                Hold(span);
            }
        }
        Release(HoldTime);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Release(HoldTime);
        return ValueTask.CompletedTask;
    }

    public async ValueTask StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        var started = Stopwatch.StartNew();
        var drain = TimeSpan.FromMilliseconds(_config.DrainTimeoutMs);
        var backendDown = false;
        if (_spans is not null)
        {
            if (_derived is not null && (_config.DerivedSpans == "always" || !_sawSpanEvents))
            {
                foreach (var span in _derived.Finish())
                {
                    Hold(span);
                }
            }
            Release(TimeSpan.Zero);
            await _spans.StopAsync(drain);
            backendDown = !_spans.BackendAnswered && _spans.Attempted;
            await _spans.DisposeAsync();
        }
        if (_metrics is not null)
        {
            // The spans' backend never answered: the metrics (same endpoint) get one short try, not the rest of the drain.
            var left = backendDown ? TimeSpan.FromMilliseconds(500) : drain - started.Elapsed;
            _metrics.Flush(left > TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
            _metrics.Dispose();
        }
        _logs?.Dispose();
    }

    /// <summary>The same as <see cref="StopAsync"/>: a sink disposed without a stop still gives its exporters back.</summary>
    public ValueTask DisposeAsync() => StopAsync(CancellationToken.None);

    private void Hold(SpanRecord span)
    {
        if (_config.DerivedSpans == "always")
        {
            _spans!.Add(span, _containers.Of(span.Pid));
            return;
        }
        _held.Enqueue((span, Stopwatch.GetTimestamp()));
        // Bounded like the export queue: the oldest goes out early rather than being kept.
        if (_held.Count > _config.QueueSize)
        {
            var (oldest, _) = _held.Dequeue();
            _spans!.Add(oldest, _containers.Of(oldest.Pid));
        }
    }

    private void Release(TimeSpan olderThan)
    {
        while (_held.TryPeek(out var next) && Stopwatch.GetElapsedTime(next.HeldAt) >= olderThan)
        {
            _held.Dequeue();
            _spans!.Add(next.Span, _containers.Of(next.Span.Pid));
        }
    }
}
