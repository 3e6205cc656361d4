using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.Model;

namespace AgentSight.Plugins.Web.Session;

/// <summary>
/// The session in memory, indexed for the UI, the API and the report: every event (up to a bound), the processes
/// and their tree, LLM calls, MCP calls, HTTP exchanges, files and network connections.
/// </summary>
/// <remarks>
/// One writer (the sink's task) and many readers (HTTP requests): a reader-writer lock keeps queries consistent
/// while events keep arriving. Queries scan in memory; 100,000 events are a few tens of megabytes and a full scan
/// with a text search takes milliseconds, so nothing is precomputed beyond counts.
/// </remarks>
internal sealed partial class SessionIndex : IDisposable
{
    /// <summary>The source of the host's session record (recorded counters and meta data of a stored session).</summary>
    public const string SessionSource = "session";

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly int _maxEvents;
    private readonly List<EventRecord> _events = [];
    private readonly Dictionary<string, long> _sourceCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _commCounts = new(StringComparer.Ordinal);
    private readonly ProcessTracker _tracker = new();
    private readonly Dictionary<int, ProcessActivity> _activity = [];
    private readonly List<LlmCall> _calls = [];
    private readonly List<McpCall> _mcpCalls = [];
    private readonly HashSet<string> _callKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exchangesWithCalls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HttpExchange> _exchanges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileStats> _files = new(StringComparer.Ordinal);
    private readonly NetworkTracker _network = new();
    private readonly List<TraceSpan> _spans = [];
    private readonly HashSet<string> _spanIds = new(StringComparer.Ordinal);
    private long _spansDropped;
    private long _fileOpens;
    private long _resourceSamples;
    private (ResourceSample Sample, int ProcessId)? _peakRss;
    private (ResourceSample Sample, int ProcessId)? _peakCpu;
    private long _seq;
    private long _evicted;
    private long _duplicates;
    private long _minTs = long.MaxValue;
    private long _maxTs = long.MinValue;
    private JsonObject? _recorded;

    /// <param name="maxEvents">Events kept for the log; the oldest go beyond it (counted), aggregates stay whole.</param>
    public SessionIndex(int maxEvents) => _maxEvents = maxEvents;

    /// <summary>The last sequence number given (events received so far, the session record aside).</summary>
    public long LastSeq => Interlocked.Read(ref _seq);

    /// <summary>Events no longer in memory because of the bound.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Adds one event. Called by the sink's task only.</summary>
    /// <returns>The record, or null for the session record, which is not an event of the session.</returns>
    public EventRecord? Add(ReadOnlyEvent evt, byte[] json, long receivedAtMs)
    {
        if (evt.Source == SessionSource)
        {
            // The host's record of a stored session: what its pipeline counted when it was recorded.
            var copy = JsonNode.Parse(json)?["data"] as JsonObject;
            WithWrite(() => _recorded = copy);
            return null;
        }
        var summary = EventSummary.Of(evt);
        var kind = ProcessTracker.KindOf(evt);
        _lock.EnterWriteLock();
        try
        {
            var process = _tracker.Apply(evt, kind, out var created);
            ProcessActivity? activity = null;
            if (process is not null)
            {
                if (!_activity.TryGetValue(process.Id, out activity))
                {
                    activity = new ProcessActivity(process);
                    _activity.Add(process.Id, activity);
                }
                if (created && process.Parent is { } parent && _activity.TryGetValue(parent.Id, out var parentActivity))
                {
                    parentActivity.Children.Add(process);
                }
                else if (!created && process.Parent is { } lateParent && _activity.TryGetValue(lateParent.Id, out var lateActivity)
                    && !lateActivity.Children.Contains(process))
                {
                    // The parent became known after the child was first seen (an exec carrying ppid after TLS events).
                    lateActivity.Children.Add(process);
                }
                activity.EventCount++;
            }

            var record = new EventRecord
            {
                Seq = ++_seq,
                Timestamp = evt.Timestamp,
                Source = evt.Source,
                Pid = evt.Pid,
                Tid = evt.Tid,
                Comm = evt.Comm,
                ProcessId = process?.Id ?? 0,
                Summary = summary,
                Json = json,
                ReceivedAtMs = receivedAtMs,
            };
            _events.Add(record);
            if (_events.Count > _maxEvents)
            {
                // A tenth at once, so that eviction is not a shift of the whole list per event.
                var drop = Math.Max(1, _maxEvents / 10);
                _events.RemoveRange(0, drop);
                _evicted += drop;
            }
            Count(_sourceCounts, evt.Source);
            if (evt.Comm.Length > 0)
            {
                Count(_commCounts, evt.Comm);
            }
            _minTs = Math.Min(_minTs, evt.Timestamp);
            _maxTs = Math.Max(_maxTs, evt.Timestamp);

            // A resource sample is drawn as the lane's CPU and memory, not as an event tick.
            if (Categorize(evt, kind, activity, record) is { } category)
            {
                activity?.Marks.Add((evt.Timestamp, category));
            }
            return record;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Indexes the event by its source; its category on the timeline, or null when it is not drawn as a tick.</summary>
    private EventCategory? Categorize(ReadOnlyEvent evt, ProcessEventKind kind, ProcessActivity? activity, EventRecord record)
    {
        switch (evt.Source)
        {
            case EventSources.Process:
                if (kind == ProcessEventKind.FileOpen && FileOpen.Read(evt) is { } open)
                {
                    AddFile(open, activity);
                    return EventCategory.File;
                }
                return EventCategory.Process;
            case "http":
                if (HttpExchange.Read(evt) is { } exchange && !_exchanges.TryAdd(exchange.ExchangeId, exchange))
                {
                    _duplicates++;
                }
                return EventCategory.Network;
            case "llm":
                AddCall(evt, activity, record);
                return EventCategory.Llm;
            case EventSources.Mcp:
                var mcp = McpCall.Read(evt);
                mcp.Id = _mcpCalls.Count + 1;
                mcp.EventSeq = record.Seq;
                _mcpCalls.Add(mcp);
                activity?.McpCalls.Add(mcp);
                return EventCategory.Mcp;
            case EventSources.Span:
                AddSpan(evt, record);
                return EventCategory.Other;
            case EventSources.Network:
                if (NetworkEvent.Read(evt) is { } network)
                {
                    _network.Apply(network, activity?.Process.Id ?? 0, record.Seq);
                }
                return EventCategory.Network;
            case ResourceSample.Source:
                if (ResourceSample.Read(evt) is { } sample)
                {
                    AddSample(sample, activity);
                    return null;
                }
                return EventCategory.Other;
            case EventSources.Ssl or EventSources.Socket or "http_body" or "sse" or EventSources.HttpParser or EventSources.SseProcessor:
                return EventCategory.Network;
            default:
                return EventCategory.Other;
        }
    }

    private void AddFile(FileOpen open, ProcessActivity? activity)
    {
        _fileOpens++;
        activity?.Files.Add(open);
        if (!_files.TryGetValue(open.Path, out var stats))
        {
            stats = new FileStats(open.Path);
            _files.Add(open.Path, stats);
        }
        stats.Opens++;
        var outcome = open.Outcome;
        if (outcome == FileOpenOutcome.Error)
        {
            stats.Failures++;
        }
        else if (outcome == FileOpenOutcome.Miss)
        {
            stats.Misses++;
        }
        else if (open.Writes == true)
        {
            stats.Writes++;
            if (!stats.Writers.Exists(o => o.Pid == open.Pid))
            {
                stats.Writers.Add((open.Pid, open.Comm));
            }
        }
        stats.FirstNs = Math.Min(stats.FirstNs, open.Timestamp);
        stats.LastNs = Math.Max(stats.LastNs, open.Timestamp);
        if (!stats.Openers.Exists(o => o.Pid == open.Pid))
        {
            stats.Openers.Add((open.Pid, open.Comm));
        }
    }

    private void AddSample(ResourceSample sample, ProcessActivity? activity)
    {
        _resourceSamples++;
        activity?.Samples.Add(sample);
        var processId = activity?.Process.Id ?? 0;
        if (sample.RssBytes is { } rss && (_peakRss is not { } rssPeak || rss > rssPeak.Sample.RssBytes))
        {
            _peakRss = (sample, processId);
        }
        if (sample.CpuPercent is { } cpu && (_peakCpu is not { } cpuPeak || cpu > cpuPeak.Sample.CpuPercent))
        {
            _peakCpu = (sample, processId);
        }
    }

    private void AddCall(ReadOnlyEvent evt, ProcessActivity? activity, EventRecord record)
    {
        var call = LlmCall.Read(evt);
        if (call.Key is { } key)
        {
            // A recording that already held llm events, replayed through the analyzers again, yields each call twice.
            if (!_callKeys.Add(key))
            {
                _duplicates++;
                return;
            }
            _exchangesWithCalls.Add(call.ExchangeId!);
            // A WebSocket's exchange is its upgrade, not the call: the call keeps its own times.
            if (call.Transport is null && _exchanges.TryGetValue(call.ExchangeId!, out var exchange))
            {
                call.AlignWith(exchange);
            }
        }
        call.Id = _calls.Count + 1;
        call.EventSeq = record.Seq;
        _calls.Add(call);
        activity?.Calls.Add(call);
    }

    /// <summary>Most spans kept for the Trace view; a run's later spans past it are counted, not kept.</summary>
    internal const int MaxSpans = 100_000;

    private void AddSpan(ReadOnlyEvent evt, EventRecord record)
    {
        if (TraceSpan.Read(evt, record.Seq) is not { } span)
        {
            return;
        }
        // A recording that already held span events, replayed through the trace stage again, yields each span twice,
        // with the same ids (they are hashes of what the span stands for): one is kept.
        if (!_spanIds.Add(span.SpanId))
        {
            _duplicates++;
            return;
        }
        if (_spans.Count >= MaxSpans)
        {
            _spansDropped++;
            return;
        }
        _spans.Add(span);
    }

    private static void Count(Dictionary<string, long> counts, string key) =>
        counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;

    private T WithRead<T>(Func<T> read)
    {
        _lock.EnterReadLock();
        try
        {
            return read();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private void WithWrite(Action write)
    {
        _lock.EnterWriteLock();
        try
        {
            write();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>The record with this sequence number, while it is still in memory.</summary>
    private EventRecord? Find(long seq)
    {
        if (_events.Count == 0)
        {
            return null;
        }
        var index = seq - _events[0].Seq;
        return index >= 0 && index < _events.Count ? _events[(int)index] : null;
    }

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();
}
