using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Otlp;

/// <summary>
/// Spans made here from what exists without a trace analyzer, so that <c>--otlp</c> is useful on its own: one span for
/// the run, a <c>process</c> span for each process seen from its exec to its exit (under its parent's), and a
/// <c>chat</c> span for each <c>llm</c> event (under its process's span). Ids are hashes of the run's first event and
/// of what the span stands for, so a replay of a recording gives the same trace.
/// </summary>
internal sealed class DerivedSpans(bool captureContent)
{
    private readonly Dictionary<int, OpenProcess> _processes = [];
    private ActivityTraceId _traceId;
    private ActivitySpanId _rootId;
    private string _seed = "";
    private long _firstNs;
    private long _lastNs;
    private int _rootPid;
    private string _rootName = "agentsight run";
    private bool _started;

    /// <summary>Spans made so far; false until one was.</summary>
    public bool MadeAny { get; private set; }

    /// <summary>The spans an event closes (a chat span, a process span at its exit), if any.</summary>
    public IEnumerable<SpanRecord> Take(ReadOnlyEvent evt)
    {
        if (!_started)
        {
            _started = true;
            _firstNs = evt.Timestamp;
            _rootPid = evt.Pid;
            _seed = string.Create(CultureInfo.InvariantCulture, $"{evt.Timestamp}:{evt.Pid}");
            _traceId = SpanIds.Trace(_seed);
            _rootId = SpanIds.Span(_seed + ":run");
        }
        _lastNs = Math.Max(_lastNs, evt.Timestamp);
        if (evt.Source == EventSources.Llm && evt.HasFields)
        {
            var chat = Chat(evt, evt.Fields);
            _lastNs = Math.Max(_lastNs, chat.EndNs);
            MadeAny = true;
            yield return chat;
        }
        else if (evt.Source == EventSources.Process && evt.HasFields)
        {
            if (Process(evt, evt.Fields) is { } ended)
            {
                MadeAny = true;
                yield return ended;
            }
        }
    }

    /// <summary>At the end of the run: the processes still running (ended at the last event, status unset), then the run's span.</summary>
    public IEnumerable<SpanRecord> Finish()
    {
        if (!_started)
        {
            yield break;
        }
        foreach (var (pid, open) in _processes.OrderByDescending(p => p.Value.StartNs))
        {
            MadeAny = true;
            yield return open.ToSpan(this, pid, Math.Max(open.StartNs, _lastNs), null, null);
        }
        _processes.Clear();
        if (!MadeAny)
        {
            yield break;
        }
        yield return new SpanRecord(_traceId, _rootId, default, _rootName, ActivityKind.Internal, _firstNs, Math.Max(_firstNs, _lastNs),
            ActivityStatusCode.Unset, null,
            [new("agentsight.span.derived", true), new("process.pid", (long)_rootPid)], _rootPid);
    }

    private SpanRecord Chat(ReadOnlyEvent evt, ReadOnlyJson call)
    {
        var attributes = AttributeValues.FromObject(call, captureContent);
        attributes.RemoveAll(a => a.Key is "exchange_id" or "conn_id" || a.Value is string s && s.StartsWith('{'));
        // The HTTP request under the call is not the span's own: with http.* attributes a backend takes a chat span
        // for an HTTP client span (the Aspire dashboard names it "HTTP POST 200"). Kept under names of ours.
        for (var i = 0; i < attributes.Count; i++)
        {
            if (attributes[i].Key is "http.request.method" or "http.response.status_code" or "url.path")
            {
                attributes[i] = new("agentsight." + attributes[i].Key, attributes[i].Value);
            }
        }
        attributes.Add(new("agentsight.span.derived", true));
        if (call["cost"] is { ValueKind: JsonValueKind.Object } cost && SpanEventReader.Real(cost["usd"]) is { } dollars)
        {
            attributes.Add(new("agentsight.cost.usd", dollars));
        }
        if (call["exchange_id"] is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } exchange)
        {
            attributes.Add(new("agentsight.ref.source", EventSources.Llm));
            attributes.Add(new("agentsight.ref.key", exchange.ToString()));
        }
        var durationMs = SpanEventReader.Real(call["duration_ms"]) is { } ms && double.IsFinite(ms) && ms >= 0 ? ms : 0;
        var operation = SpanEventReader.Text(call["gen_ai.operation.name"]) ?? "chat";
        var model = SpanEventReader.Text(call["gen_ai.request.model"]) ?? SpanEventReader.Text(call["gen_ai.response.model"]);
        var error = SpanEventReader.Text(call["error.type"]);
        var key = $"{_seed}:chat:{call["exchange_id"]}:{evt.Timestamp}";
        return new SpanRecord(_traceId, SpanIds.Span(key), ParentOf(evt.Pid), model is null ? operation : $"{operation} {model}",
            ActivityKind.Client, evt.Timestamp, evt.Timestamp + (long)(durationMs * 1_000_000),
            error is null ? ActivityStatusCode.Unset : ActivityStatusCode.Error, error, attributes, evt.Pid);
    }

    private SpanRecord? Process(ReadOnlyEvent evt, ReadOnlyJson fields)
    {
        switch (SpanEventReader.Text(fields["event"]))
        {
            case "EXEC":
                var ppid = (int)(SpanEventReader.Number(fields["ppid"]) ?? 0);
                var argv = fields["argv"] is { ValueKind: JsonValueKind.Array } args ? string.Join(' ', args.EnumerateArray().Select(a => a.ToString())) : null;
                var file = SpanEventReader.Text(fields["filename"]);
                if (_processes.TryGetValue(evt.Pid, out var before))
                {
                    // A second exec in one process: the image changed, the span goes on under its new name.
                    before.Name = evt.Comm;
                    before.CommandLine = argv ?? before.CommandLine;
                    before.Executable = file ?? before.Executable;
                    before.ContainerId = ContainerIdentity.FromJson(fields["container"])?.ContainerId;
                    return null;
                }
                if (_processes.Count == 0 && _rootName == "agentsight run" && evt.Comm.Length > 0)
                {
                    _rootName = $"agentsight run {evt.Comm}";
                }
                _processes[evt.Pid] = new OpenProcess(evt.Timestamp, ppid, evt.Comm)
                {
                    CommandLine = argv,
                    Executable = file,
                    ContainerId = ContainerIdentity.FromJson(fields["container"])?.ContainerId,
                    Parent = ParentOf(ppid),
                };
                return null;
            case "EXIT" when _processes.Remove(evt.Pid, out var open):
                var code = SpanEventReader.Number(fields["exit_code"]);
                return open.ToSpan(this, evt.Pid, Math.Max(open.StartNs, evt.Timestamp), code, SpanEventReader.Text(fields["signal"]));
            default:
                return null;
        }
    }

    private ActivitySpanId ParentOf(int pid) => _processes.ContainsKey(pid) ? ProcessSpanId(pid) : _rootId;

    private ActivitySpanId ProcessSpanId(int pid) =>
        SpanIds.Span(string.Create(CultureInfo.InvariantCulture, $"{_seed}:process:{pid}:{_processes[pid].StartNs}"));

    private sealed class OpenProcess(long startNs, int ppid, string name)
    {
        public long StartNs { get; } = startNs;

        public int Ppid { get; } = ppid;

        public string Name { get; set; } = name;

        public string? CommandLine { get; set; }

        public string? Executable { get; set; }

        public string? ContainerId { get; set; }

        public ActivitySpanId Parent { get; init; }

        public SpanRecord ToSpan(DerivedSpans owner, int pid, long endNs, long? exitCode, string? signal)
        {
            var id = SpanIds.Span(string.Create(CultureInfo.InvariantCulture, $"{owner._seed}:process:{pid}:{StartNs}"));
            var attributes = new List<KeyValuePair<string, object?>>
            {
                new("process.pid", (long)pid),
                new("process.parent_pid", (long)Ppid),
                new("agentsight.span.derived", true),
                new("agentsight.ref.source", EventSources.Process),
                new("agentsight.ref.pid", (long)pid),
            };
            if (CommandLine is not null)
            {
                attributes.Add(new("process.command_line", CommandLine));
            }
            if (Executable is not null)
            {
                attributes.Add(new("process.executable.path", Executable));
            }
            if (exitCode is { } code)
            {
                attributes.Add(new("process.exit.code", code));
            }
            if (ContainerId is not null)
            {
                attributes.Add(new("container.id", ContainerId));
            }
            var failed = exitCode is not null and not 0 || signal is not null;
            return new SpanRecord(owner._traceId, id, Parent, $"process {Name}", ActivityKind.Internal, StartNs, endNs,
                failed ? ActivityStatusCode.Error : exitCode is null ? ActivityStatusCode.Unset : ActivityStatusCode.Ok,
                failed ? signal is null ? $"exit code {exitCode}" : $"killed by {signal}" : null, attributes, pid);
        }
    }
}
