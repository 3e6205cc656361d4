using System.Text.Json;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.Model;

namespace AgentSight.Plugins.Web.Session;

internal sealed partial class SessionIndex
{
    /// <summary>Most lanes one timeline answer holds.</summary>
    public const int MaxLanes = 400;

    /// <summary>Most call bars per lane; beyond it the lane's calls show only in its bins.</summary>
    public const int MaxCallsPerLane = 500;

    public SessionInfo Info() => WithRead(() => new SessionInfo(
        StartOrNull, EndOrNull, DurationMs, _seq, _seq, _evicted,
        new Dictionary<string, long>(_sourceCounts), new Dictionary<string, long>(_commCounts), _recorded is not null));

    public LiveSummary Live(long drops, long receivedAtMs) => WithRead(() =>
        new LiveSummary(_seq, _seq, _calls.Count, _activity.Count, _files.Count, drops, receivedAtMs));

    private long? StartOrNull => _minTs == long.MaxValue ? null : _minTs;

    private long? EndOrNull => _maxTs == long.MinValue ? null : _maxTs;

    private double? DurationMs => _minTs <= _maxTs ? (_maxTs - _minTs) / 1_000_000.0 : null;

    public RecordedPipeline? Recorded(JsonSerializerOptions options) => WithRead(() => PipelineViews.ReadRecorded(_recorded, options));

    // ---- events ----

    /// <summary>A page of events, newest first, older than <paramref name="before"/>, and how many match in all.</summary>
    public EventPage Events(EventFilter filter, long? before, int limit) => WithRead(() =>
    {
        var items = new List<EventRow>(limit);
        long total = 0;
        long? next = null;
        for (var i = _events.Count - 1; i >= 0; i--)
        {
            var record = _events[i];
            if (!filter.Matches(record))
            {
                continue;
            }
            total++;
            if (before is { } cursor && record.Seq >= cursor)
            {
                continue;
            }
            if (items.Count < limit)
            {
                items.Add(Row(record));
            }
            else
            {
                next ??= items[^1].Seq;
            }
        }
        return new EventPage(items, total, next);
    });

    /// <summary>Events after <paramref name="afterSeq"/>, oldest first, at most <paramref name="limit"/> (the newest ones).</summary>
    public (IReadOnlyList<EventRow> Rows, long Skipped) EventsAfter(long afterSeq, int limit) => WithRead(() =>
    {
        if (_events.Count == 0 || _events[^1].Seq <= afterSeq)
        {
            return ((IReadOnlyList<EventRow>)[], 0L);
        }
        var first = Math.Max(0, (int)Math.Min(_events.Count, afterSeq - _events[0].Seq + 1));
        var count = _events.Count - first;
        var take = Math.Min(count, limit);
        var rows = new List<EventRow>(take);
        for (var i = _events.Count - take; i < _events.Count; i++)
        {
            rows.Add(Row(_events[i]));
        }
        return ((IReadOnlyList<EventRow>)rows, (long)(count - take));
    });

    public EventDetail? Event(long seq) => WithRead(() =>
    {
        if (Find(seq) is not { } record)
        {
            return null;
        }
        using var document = JsonDocument.Parse(record.Json);
        return new EventDetail(Row(record), document.RootElement.Clone());
    });

    private static EventRow Row(EventRecord r) =>
        new(r.Seq, r.Timestamp, r.Source, r.Pid, r.Tid, r.Comm, r.ProcessId, r.Summary, r.ReceivedAtMs);

    // ---- LLM calls ----

    /// <summary>LLM calls, filtered and sorted (<c>time</c>, <c>duration</c>, <c>tokens</c>), one page of them.</summary>
    public LlmPage Calls(string? model, int? processId, TextMatcher? text, string sort, int offset, int limit) => WithRead(() =>
    {
        IEnumerable<LlmCall> calls = _calls;
        if (model is not null)
        {
            calls = calls.Where(c => c.Model == model);
        }
        if (processId is { } id)
        {
            calls = calls.Where(c => ProcessOf(c) == id);
        }
        if (text is not null)
        {
            calls = calls.Where(c => Find(c.EventSeq) is { } record && text.IsIn(record.Json));
        }
        calls = sort switch
        {
            "duration" => calls.OrderByDescending(c => c.DurationMs ?? -1).ThenBy(c => c.Id),
            "tokens" => calls.OrderByDescending(c => (c.InputTokens ?? 0) + (c.OutputTokens ?? 0)).ThenBy(c => c.Id),
            _ => calls.OrderBy(c => c.StartNs).ThenBy(c => c.Id),
        };
        var matching = calls.ToList();
        var models = _calls.Select(c => c.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new LlmPage(matching.Skip(offset).Take(limit).Select(CallRow).ToList(), matching.Count, models);
    });

    public LlmDetail? Call(int id) => WithRead(() =>
    {
        if (id < 1 || id > _calls.Count)
        {
            return null;
        }
        var call = _calls[id - 1];
        JsonElement? json = null;
        if (Find(call.EventSeq) is { } record)
        {
            using var document = JsonDocument.Parse(record.Json);
            json = document.RootElement.Clone();
        }
        HttpRow? http = call.ExchangeId is { } exchangeId && _exchanges.TryGetValue(exchangeId, out var x) ? HttpRowOf(x) : null;
        return new LlmDetail(CallRow(call), json, http);
    });

    private int ProcessOf(LlmCall call) => Find(call.EventSeq)?.ProcessId ?? 0;

    private LlmCallRow CallRow(LlmCall c) => new(c.Id, c.EventSeq, c.StartNs, c.EndNs, c.Timestamp, c.Pid, c.Comm, ProcessOf(c),
        c.Provider, c.Operation, c.Model, c.RequestModel, c.ResponseModel, c.InputTokens, c.OutputTokens, c.CacheReadTokens,
        c.CacheCreationTokens, c.ReasoningTokens, c.DurationMs, c.TimeToFirstTokenMs, c.TimeToFirstChunkMs, c.StatusCode, c.ErrorType,
        c.Streaming, c.Complete, c.Truncated, c.ServerAddress, c.UrlPath, c.FinishReasons, c.ExchangeId, c.CostUsd);

    private static HttpRow HttpRowOf(HttpExchange x) => new(x.ExchangeId, x.Method, x.Host, x.Path, x.Status, x.DurationMs, x.TtfbMs,
        x.Complete, x.EndReason, x.RequestBodySize, x.ResponseBodySize, x.Streamed);

    // ---- MCP calls ----

    /// <summary>
    /// MCP calls and notifications, filtered by server (its label), client process, failure and text, in time order
    /// (or slowest first), one page of them; with every server's totals.
    /// </summary>
    public McpPage McpCalls(string? server, int? processId, bool? errors, TextMatcher? text, string sort, int offset, int limit) => WithRead(() =>
    {
        IEnumerable<McpCall> calls = _mcpCalls;
        if (server is not null)
        {
            calls = calls.Where(c => c.ServerLabel == server);
        }
        if (processId is { } id)
        {
            calls = calls.Where(c => ProcessOf(c) == id);
        }
        if (errors is { } failed)
        {
            calls = calls.Where(c => c.IsError == failed);
        }
        if (text is not null)
        {
            calls = calls.Where(c => Find(c.EventSeq) is { } record && text.IsIn(record.Json));
        }
        calls = sort == "duration"
            ? calls.OrderByDescending(c => c.DurationMs ?? -1).ThenBy(c => c.Id)
            : calls.OrderBy(c => c.StartNs).ThenBy(c => c.Id);
        var matching = calls.ToList();
        var servers = _mcpCalls.GroupBy(c => c.ServerLabel, StringComparer.Ordinal)
            .Select(g =>
            {
                var named = g.LastOrDefault(c => c.ServerName is not null);
                var requests = g.Where(c => c.Kind != "notification").ToList();
                return new McpServerRow(g.Key, named?.ServerName, named?.ServerVersion, g.First().Transport,
                    g.Select(c => c.ServerPid).LastOrDefault(p => p is not null), g.Select(c => c.Url).LastOrDefault(u => u is not null),
                    g.Select(c => c.ClientName is null ? $"{c.Comm} ({c.Pid})" : $"{c.ClientName} · {c.Comm} ({c.Pid})").Distinct(StringComparer.Ordinal).ToList(),
                    requests.Count, requests.Count(c => c.ToolName is not null), requests.Count(c => c.IsError), requests.Count(c => !c.Complete),
                    g.Where(c => c.ToolName is not null).Select(c => c.ToolName!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
                    requests.Sum(c => c.DurationMs ?? 0));
            })
            .OrderBy(s => s.Server, StringComparer.Ordinal).ToList();
        return new McpPage(matching.Skip(offset).Take(limit).Select(McpRow).ToList(), matching.Count, servers);
    });

    public McpDetail? McpCallDetail(int id) => WithRead(() =>
    {
        if (id < 1 || id > _mcpCalls.Count)
        {
            return null;
        }
        var call = _mcpCalls[id - 1];
        JsonElement? json = null;
        if (Find(call.EventSeq) is { } record)
        {
            using var document = JsonDocument.Parse(record.Json);
            json = document.RootElement.Clone();
        }
        return new McpDetail(McpRow(call), json);
    });

    private int ProcessOf(McpCall call) => Find(call.EventSeq)?.ProcessId ?? 0;

    private McpCallRow McpRow(McpCall c) => new(c.Id, c.EventSeq, c.StartNs, c.EndNs, c.Timestamp, c.Pid, c.Comm, ProcessOf(c),
        c.Method, c.RequestId, c.Kind, c.Direction, c.Transport, c.SessionId, c.ServerLabel, c.ServerName, c.ServerVersion, c.ClientName,
        c.ToolName, c.Target, c.Arguments, c.Result, c.ErrorCode, c.ErrorMessage, c.ErrorType, c.IsError, c.Complete, c.Truncated,
        c.ClientPid, c.ServerPid, c.Url, c.ExchangeId, c.DurationMs);

    private static McpBar McpBarOf(McpCall c) =>
        new(c.Id, c.StartNs, Math.Max(c.StartNs, c.EndNs), c.ToolName ?? c.Method ?? "?", c.ServerLabel, c.IsError || !c.Complete);

    // ---- processes ----

    public ProcessList Processes() => WithRead(() =>
    {
        var rows = _tracker.All.Select(p => ProcessRowOf(_activity[p.Id])).ToList();
        return new ProcessList(rows, Roots().Select(p => p.Id).ToList());
    });

    public ProcessDetail? Process(int id) => WithRead(() =>
    {
        if (!_activity.TryGetValue(id, out var activity))
        {
            return null;
        }
        var files = activity.Files.Select(f => new FileRow(f.Timestamp, f.Path, f.Access, f.Writes, f.Failed, f.Outcome, f.Error, f.Fd)).ToList();
        return new ProcessDetail(ProcessRowOf(activity), files, activity.Calls.Select(CallRow).ToList(),
            _network.Of(id).Select(ConnectionRowOf).ToList(), activity.McpCalls.Select(McpRow).ToList());
    });

    private IEnumerable<ProcessInstance> Roots() =>
        _tracker.All.Where(p => p.Parent is null).OrderBy(p => p.StartNs).ThenBy(p => p.Id);

    private static ProcessRow ProcessRowOf(ProcessActivity a)
    {
        var p = a.Process;
        return new ProcessRow(p.Id, p.Pid, p.Ppid, p.Parent?.Id, p.Comm, p.Filename, p.Argv, p.CommandLine, p.StartNs, p.StartKnown,
            p.EndNs, p.LastSeenNs, p.ExitCode, p.Signal, p.CoreDumped, p.LifetimeMs, a.Files.Count,
            a.Files.Count(f => f.Writes == true && !f.Failed), a.Files.Count(f => f.Outcome == FileOpenOutcome.Error),
            a.Files.Count(f => f.Outcome == FileOpenOutcome.Miss), a.Calls.Count,
            a.Calls.Sum(c => c.InputTokens ?? 0), a.Calls.Sum(c => c.OutputTokens ?? 0), a.EventCount,
            a.Children.OrderBy(c => c.StartNs).Select(c => c.Id).ToList(), a.McpCalls.Count(c => c.Kind != "notification"),
            p.ContainerId, p.ContainerRuntime, p.PodUid);
    }

    /// <summary>Every process in tree order (parents before their children, siblings by start), with its depth.</summary>
    private List<(ProcessActivity Activity, int Depth)> TreeOrder()
    {
        var order = new List<(ProcessActivity, int)>(_activity.Count);
        var stack = new Stack<(ProcessInstance, int)>();
        foreach (var root in Roots().Reverse())
        {
            stack.Push((root, 0));
        }
        var seen = new HashSet<int>();
        while (stack.Count > 0)
        {
            var (process, depth) = stack.Pop();
            if (!seen.Add(process.Id))
            {
                continue;
            }
            var activity = _activity[process.Id];
            order.Add((activity, depth));
            foreach (var child in activity.Children.OrderByDescending(c => c.StartNs))
            {
                stack.Push((child, depth + 1));
            }
        }
        return order;
    }

    // ---- timeline ----

    /// <summary>
    /// The lanes of processes alive in [from, to], each with its LLM calls as bars and its events counted in
    /// <paramref name="bins"/> equal bins: the browser draws what it gets, whatever the session's size.
    /// </summary>
    public Timeline Timeline(long? from, long? to, int bins) => WithRead(() =>
    {
        var sessionStart = StartOrNull ?? 0;
        var sessionEnd = EndOrNull ?? 0;
        var start = from ?? sessionStart;
        var end = Math.Max(to ?? sessionEnd, start + 1);
        var width = (double)(end - start) / bins;
        var lanes = new List<TimelineLane>();
        var total = 0;
        foreach (var (activity, depth) in TreeOrder())
        {
            var p = activity.Process;
            var laneEnd = p.EndNs ?? Math.Max(p.LastSeenNs, sessionEnd);
            if (laneEnd < start || p.StartNs > end)
            {
                continue;
            }
            total++;
            if (lanes.Count >= MaxLanes)
            {
                continue;
            }
            var calls = activity.Calls.Where(c => c.EndNs >= start && c.StartNs <= end).ToList();
            var bars = calls.Count <= MaxCallsPerLane
                ? calls.Select(c => new CallBar(c.Id, c.StartNs, c.EndNs, c.Model, c.IsError, c.InputTokens, c.OutputTokens)).ToList()
                : [];
            var counts = new Dictionary<int, long[]>();
            foreach (var (timestamp, category) in activity.Marks)
            {
                if (timestamp < start || timestamp > end)
                {
                    continue;
                }
                var bin = Math.Min(bins - 1, (int)((timestamp - start) / width));
                if (!counts.TryGetValue(bin, out var row))
                {
                    row = new long[7];
                    row[0] = bin;
                    counts.Add(bin, row);
                }
                row[1 + (int)category]++;
            }
            var label = p.Argv is { Count: > 0 } ? p.CommandLine : p.Comm;
            var (resources, peakCpu, peakRss) = ResourceLane(activity.Samples, start, end, width, bins);
            var mcp = activity.McpCalls.Where(c => c.Kind != "notification" && c.EndNs >= start && c.StartNs <= end).Take(MaxCallsPerLane)
                .Select(McpBarOf).ToList();
            lanes.Add(new TimelineLane(p.Id, p.Pid, p.Comm, label, depth, p.StartNs, laneEnd, p.ExitCode, bars,
                calls.Count - bars.Count, counts.Values.OrderBy(r => r[0]).ToList(), resources, peakCpu, peakRss, mcp));
        }
        return new Timeline(start, end, bins, sessionStart, sessionEnd, lanes, total);
    });

    /// <summary>
    /// A lane's samples in [start, end]: all of them when they fit one per bin, else per bin the highest CPU and RSS
    /// (at the bin's last sample time), so a long session costs the browser no more than a short one.
    /// </summary>
    private static (List<double[]> Points, double? PeakCpu, long? PeakRss) ResourceLane(List<ResourceSample> samples, long start, long end, double width, int bins)
    {
        var points = new List<double[]>();
        double? peakCpu = null;
        long? peakRss = null;
        var lastBin = -1;
        foreach (var s in samples)
        {
            if (s.Timestamp < start || s.Timestamp > end)
            {
                continue;
            }
            var cpu = s.CpuPercent ?? -1;
            var rss = s.RssBytes ?? 0;
            if (s.CpuPercent is { } c)
            {
                peakCpu = Math.Max(peakCpu ?? 0, c);
            }
            if (s.RssBytes is { } r)
            {
                peakRss = Math.Max(peakRss ?? 0, r);
            }
            var bin = Math.Min(bins - 1, (int)((s.Timestamp - start) / width));
            if (bin == lastBin && points.Count > 0)
            {
                var point = points[^1];
                point[0] = s.Timestamp;
                point[1] = Math.Max(point[1], cpu);
                point[2] = Math.Max(point[2], rss);
                continue;
            }
            lastBin = bin;
            points.Add([s.Timestamp, cpu, rss]);
        }
        return (points, peakCpu, peakRss);
    }

    // ---- overview and report ----

    public Overview Overview(PipelineView pipeline, string uiStage) => WithRead(() =>
    {
        var models = _calls.GroupBy(c => c.Model, StringComparer.Ordinal)
            .Select(g => new ModelRow(g.Key, g.Select(c => c.Provider).FirstOrDefault(p => p is not null), g.Count(), g.Count(c => c.IsError),
                g.Sum(c => c.InputTokens ?? 0), g.Sum(c => c.OutputTokens ?? 0), g.Sum(c => c.CacheReadTokens ?? 0),
                g.Sum(c => c.ReasoningTokens ?? 0), Math.Round(g.Sum(c => c.DurationMs ?? 0), 3),
                Average(g.Select(c => c.DurationMs)), Average(g.Select(c => c.TimeToFirstTokenMs)), CostOf(g), g.Count(c => c.CostUsd is null)))
            .OrderByDescending(m => m.Calls).ThenBy(m => m.Model, StringComparer.Ordinal)
            .ToList();
        var llm = new LlmTotals(_calls.Count, _calls.Count(c => c.IsError), _calls.Sum(c => c.InputTokens ?? 0),
            _calls.Sum(c => c.OutputTokens ?? 0), _calls.Sum(c => c.CacheReadTokens ?? 0), _calls.Sum(c => c.CacheCreationTokens ?? 0),
            _calls.Sum(c => c.ReasoningTokens ?? 0), models, CostOf(_calls), _calls.Count(c => c.CostUsd is null),
            _calls.Select(c => c.PriceTable).FirstOrDefault(t => t is not null), CostOverTime());
        var processes = _tracker.All;
        var procTotals = new ProcessTotals(processes.Count, processes.Count(p => !p.Exited), processes.Count(p => p.Exited),
            processes.Count(ErrorRule.IsError));
        var files = new FileTotals(_files.Count, _fileOpens, _files.Values.Count(f => f.Writes > 0), _files.Values.Sum(f => f.Failures),
            _files.Values.Sum(f => f.Misses));
        var http = new HttpTotals(_exchanges.Count, _exchanges.Values.Count(ErrorRule.IsError),
            _exchanges.Values.Count(x => !x.Complete));
        var written = _files.Values.Where(f => f.Writes > 0).OrderBy(f => f.FirstNs).ThenBy(f => f.Path, StringComparer.Ordinal)
            .Select(FileSummaryOf).ToList();
        return new Overview(StartOrNull, EndOrNull, DurationMs, _seq, new Dictionary<string, long>(_sourceCounts), llm, procTotals,
            files, http, Errors(), PipelineViews.Drops(pipeline, _evicted, uiStage), written, Network(pipeline), Resources(), Runs(),
            Containers());
    });

    /// <summary>The containers the processes ran in, in the order first seen.</summary>
    private List<ContainerRow> Containers() =>
        [.. _tracker.All.Where(p => p.ContainerId is not null).GroupBy(p => p.ContainerId!).Select(g =>
        {
            var first = g.OrderBy(p => p.StartNs).ThenBy(p => p.Id).First();
            var pids = g.Select(p => p.Pid).ToHashSet();
            return new ContainerRow(g.Key, g.Select(p => p.ContainerRuntime).FirstOrDefault(r => r is not null),
                g.Select(p => p.PodUid).FirstOrDefault(u => u is not null), g.Count(), first.Id, first.CommandLine, first.StartNs,
                _calls.Count(c => pids.Contains(c.Pid)));
        }).OrderBy(c => c.FirstNs).ThenBy(c => c.Id, StringComparer.Ordinal)];

    /// <summary>The priced calls' total; null when none was priced (unknown, never 0).</summary>
    private static double? CostOf(IEnumerable<LlmCall> calls)
    {
        var priced = calls.Where(c => c.CostUsd is not null).ToList();
        return priced.Count == 0 ? null : Math.Round(priced.Sum(c => c.CostUsd!.Value), 9);
    }

    /// <summary>Cumulative cost at the end of each priced call, <c>[end_ns, usd]</c>, at most 500 points (the last of each step kept).</summary>
    private List<double[]> CostOverTime()
    {
        var points = new List<double[]>();
        var total = 0.0;
        var priced = _calls.Where(c => c.CostUsd is not null).OrderBy(c => c.EndNs).ThenBy(c => c.Id).ToList();
        var step = Math.Max(1, (priced.Count + 499) / 500);
        for (var i = 0; i < priced.Count; i++)
        {
            total += priced[i].CostUsd!.Value;
            if ((i + 1) % step == 0 || i == priced.Count - 1)
            {
                points.Add([priced[i].EndNs, Math.Round(total, 9)]);
            }
        }
        return points;
    }

    /// <summary>The trace analyzer's runs (their run spans), oldest first.</summary>
    private List<RunRow> Runs() => [.. _spans.Where(s => s.Level == "run").OrderBy(s => s.StartNs).ThenBy(s => s.TraceId, StringComparer.Ordinal)
        .Select(s => new RunRow(s.TraceId, s.SpanId, s.Name, (int?)JsonRead.Long(s.AttributesView, "process.pid"),
            JsonRead.Str(s.AttributesView, "process.command_line"), s.StartNs, s.EndNs, s.Status,
            JsonRead.Long(s.AttributesView, "agentsight.llm.calls") ?? 0, JsonRead.Long(s.AttributesView, "agentsight.conversations") ?? 0,
            JsonRead.Long(s.AttributesView, "gen_ai.usage.input_tokens") ?? 0, JsonRead.Long(s.AttributesView, "gen_ai.usage.output_tokens") ?? 0,
            s.CostUsd, JsonRead.Long(s.AttributesView, "agentsight.cost.unpriced_calls") ?? 0))];

    /// <summary>Every span, for the Trace view, each with the call or process a click opens.</summary>
    public TraceView Trace() => WithRead(() =>
    {
        var callsByKey = _calls.Where(c => c.Key is not null).GroupBy(c => c.Key!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        var rows = _spans.Select(s => new SpanRow(s.EventSeq, s.TraceId, s.SpanId, s.ParentSpanId, s.Name, s.Operation, s.Kind, s.StartNs, s.EndNs,
            s.Status, s.StatusMessage, s.Attributes,
            s.RefSource == "llm" && s.RefKey is { } key && callsByKey.TryGetValue(key, out var call) ? call : null,
            s.RefSource == "process" && s.RefPid is { } pid ? ProcessIdOf(pid, s.StartNs) : null)).ToList();
        return new TraceView(rows, _spansDropped);
    });

    /// <summary>The process instance a pid named at a time: the latest that started by then.</summary>
    private int? ProcessIdOf(int pid, long atNs) =>
        _tracker.All.Where(p => p.Pid == pid).OrderByDescending(p => p.StartNs <= atNs).ThenByDescending(p => p.StartNs).Select(p => (int?)p.Id).FirstOrDefault();

    private ResourceTotals Resources() => new(_resourceSamples, _activity.Values.Count(a => a.Samples.Count > 0),
        _peakRss is { } rss ? new ResourcePeak(rss.ProcessId, rss.Sample.Pid, rss.Sample.Comm, rss.Sample.RssBytes ?? 0, rss.Sample.Timestamp) : null,
        _peakCpu is { } cpu ? new ResourcePeak(cpu.ProcessId, cpu.Sample.Pid, cpu.Sample.Comm, cpu.Sample.CpuPercent ?? 0, cpu.Sample.Timestamp) : null);

    private static FileSummary FileSummaryOf(FileStats f) => new(f.Path, f.Opens, f.Writes, f.Failures, f.Misses, f.FirstNs, f.LastNs,
        (f.Writers.Count > 0 ? f.Writers : f.Openers).Select(o => $"{o.Comm} ({o.Pid})").ToList());

    /// <summary>Every error by <see cref="ErrorRule"/>, by kind; look-ups that missed are not errors (counted in the files' totals).</summary>
    private List<ErrorRow> Errors()
    {
        var rows = new List<ErrorRow>();
        var failedCalls = _calls.Where(c => c.IsError).ToList();
        if (failedCalls.Count > 0)
        {
            rows.Add(new ErrorRow("llm_call", failedCalls.Count,
                failedCalls.Take(5).Select(c => $"#{c.Id} {c.Model}: {c.ErrorType ?? c.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture)}").ToList()));
        }
        var failedMcp = _mcpCalls.Where(c => c.IsError).ToList();
        if (failedMcp.Count > 0)
        {
            rows.Add(new ErrorRow("mcp_call", failedMcp.Count,
                failedMcp.Take(5).Select(c => $"#{c.Id} {c.ServerLabel} {c.ToolName ?? c.Method}: {c.ErrorMessage ?? c.ErrorType}").ToList()));
        }
        var httpErrors = _exchanges.Values.Where(x => ErrorRule.IsError(x) && !_exchangesWithCalls.Contains(x.ExchangeId)).ToList();
        if (httpErrors.Count > 0)
        {
            rows.Add(new ErrorRow("http", httpErrors.Count, httpErrors.Take(5).Select(x => $"{x.Method} {x.Host}{x.Path} → {x.Status}").ToList()));
        }
        var failedProcesses = _tracker.All.Where(ErrorRule.IsError).ToList();
        if (failedProcesses.Count > 0)
        {
            rows.Add(new ErrorRow("process_exit", failedProcesses.Count,
                failedProcesses.Take(5).Select(p => $"{p.Comm} ({p.Pid}) exited {(p.Signal is { } s ? $"on signal {s}" : p.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture))}").ToList()));
        }
        var failedOpens = _files.Values.Where(f => f.Failures > 0).ToList();
        if (failedOpens.Count > 0)
        {
            rows.Add(new ErrorRow("file_open", failedOpens.Sum(f => f.Failures), failedOpens.Take(5).Select(f => f.Path).ToList()));
        }
        return rows;
    }

    /// <summary>What <c>report</c> prints: the overview, the slowest calls and every process.</summary>
    public Report Report(PipelineView pipeline, string uiStage, int slowest)
    {
        var overview = Overview(pipeline, uiStage);
        return WithRead(() => new Report(overview,
            _calls.Where(c => c.DurationMs is not null).OrderByDescending(c => c.DurationMs).ThenBy(c => c.Id).Take(slowest).Select(CallRow).ToList(),
            TreeOrder().Select(t => ProcessRowOf(t.Activity)).ToList(),
            pipeline));
    }

    private static double? Average(IEnumerable<double?> values)
    {
        var list = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return list.Count == 0 ? null : Math.Round(list.Average(), 3);
    }

    /// <summary>Total of every loss, for the live summary.</summary>
    public long DropTotal(PipelineView pipeline, string uiStage) => PipelineViews.Drops(pipeline, Evicted, uiStage).Total;

    /// <summary>The session's process for an event source and pid, for tests.</summary>
    internal int ProcessCount => WithRead(() => _tracker.All.Count);

    internal static bool IsSessionRecord(ReadOnlyEvent evt) => evt.Source == SessionSource;
}
