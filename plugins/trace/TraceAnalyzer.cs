using System.Globalization;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.JsonNodes;

namespace AgentSight.Plugins.Trace;

/// <summary>
/// Builds each agent run's causal trace from the events that pass (process, network, http, mcp, llm) and writes it as
/// <c>span</c> events, children before their parent: a tool's processes and files, then the tool, when the request
/// carrying its result arrives; a call once all its tools ended; conversations and the run when the run's root process
/// exits, or at the end of input. Every event passes on unchanged, at once. The rules for ambiguous cases are in
/// docs/ANALYZERS.md ("trace").
/// </summary>
internal sealed partial class TraceAnalyzer(TraceAnalyzerConfig config, IStageContext context) : IAnalyzer
{
    /// <summary>Most ancestors walked to find a process's root (a loop in bad input ends there).</summary>
    private const int MaxDepth = 64;

    private readonly TraceCounters _counters = new(context);
    private readonly Dictionary<int, ProcessNode> _nodes = [];
    private readonly Dictionary<int, AgentRun> _runs = [];
    private readonly Dictionary<int, Queue<FileAccess>> _agentOpens = [];
    private readonly Dictionary<string, long> _requestStarts = new(StringComparer.Ordinal);
    private readonly Queue<string> _requestOrder = new();
    private readonly List<JsonObject> _mcp = [];
    private readonly HashSet<string> _seenToolIds = new(StringComparer.Ordinal);
    private readonly Queue<string> _seenToolOrder = new();
    private IEventOutput _output = null!;

    public void Process(AgentEvent evt, IEventOutput output)
    {
        _output = output;
        output.Emit(evt);
        switch (evt.Source)
        {
            case EventSources.Process:
                OnProcess(evt);
                break;
            case "network":
                OnNetwork(evt);
                break;
            case "http":
                OnHttp(evt);
                break;
            case EventSources.Mcp:
                OnMcp(evt);
                break;
            case "llm":
                OnCall(evt);
                break;
        }
    }

    public void Flush(IEventOutput output)
    {
        _output = output;
        foreach (var run in _runs.Values.OrderBy(r => r.Span.StartNs).ThenBy(r => r.RootPid).ToList())
        {
            CloseRun(run, run.RootExitedNs ?? run.LastNs, rootExited: run.RootExitedNs is not null);
        }
    }

    private void OnProcess(AgentEvent evt)
    {
        var f = evt.Fields;
        var kind = Json.Str(f, "event");
        var ppid = (int?)Json.Long(f, "ppid");
        switch (kind)
        {
            case "FORK":
                Remember(new ProcessNode { Pid = evt.Pid, Ppid = ppid, StartNs = evt.Timestamp, Comm = evt.Comm });
                break;
            case "EXEC":
            {
                var node = NodeOf(evt);
                node.Ppid ??= ppid;
                node.Comm = evt.Comm;
                node.Executable = Json.Str(f, "filename");
                node.Argv = Json.Arr(f, "argv")?.Select(a => Json.Text(a) ?? "").ToList() ?? node.Argv;
                break;
            }
            case "EXIT":
            {
                var node = NodeOf(evt);
                node.Ppid ??= ppid;
                node.EndNs = evt.Timestamp;
                node.ExitCode = (int?)Json.Long(f, "exit_code");
                node.Signal = (int?)Json.Long(f, "signal");
                if (_runs.TryGetValue(evt.Pid, out var run))
                {
                    // Not at once: the run's last call may still be in the chain behind this exit (OnTimer ends it).
                    run.RootExitedNs = evt.Timestamp;
                }
                break;
            }
            case "FILE_OPEN":
                OnFileOpen(evt, f);
                break;
        }
        if (_nodes.TryGetValue(evt.Pid, out var seen))
        {
            // The capture names the container at exec, fork and a process's first sighting (docs/EVENTS.md).
            if (Json.Str(Json.Obj(f, "container"), "id") is { Length: > 0 } container)
            {
                seen.ContainerId = container;
            }
            else if (kind is "EXEC" or "FORK")
            {
                seen.ContainerId = null;
            }
            Touch(seen, evt.Timestamp);
        }
    }

    /// <summary>The container of a process as its events said (null: in none, or not known).</summary>
    private string? ContainerOf(int pid) => _nodes.GetValueOrDefault(pid)?.ContainerId;

    private void OnFileOpen(AgentEvent evt, JsonObject? f)
    {
        if (Json.Str(f, "filepath") is not { Length: > 0 } path || Json.Str(f, "error") is not null || Json.Long(f, "errno") is > 0)
        {
            return;
        }
        var writes = Json.Long(f, "flags") is { } flags && ((flags & 3) != 0 || (flags & (0x40 | 0x200 | 0x400)) != 0);
        var access = new FileAccess(evt.Timestamp, path, writes);
        if (_agentOpens.TryGetValue(evt.Pid, out var opens))
        {
            // An agent's own opens (its runtime, its config, the files its in-process tools read and write) are many:
            // only those a tool's arguments name are shown, so they are kept apart, in a ring.
            opens.Enqueue(access);
            if (opens.Count > config.MaxAgentOpens)
            {
                opens.Dequeue();
            }
            return;
        }
        if (!writes && config.IgnoreReadPrefixes.Any(p => path.StartsWith(p, StringComparison.Ordinal)))
        {
            return;
        }
        var node = NodeOf(evt);
        if (node.Files.Count >= config.MaxFilesPerProcess)
        {
            _counters.FilesDropped.Add();
            return;
        }
        node.Files.Add(access);
    }

    private void OnNetwork(AgentEvent evt)
    {
        var f = evt.Fields;
        var peer = Json.Str(f, "event") switch
        {
            "CONNECT" when Json.Str(f, "result") is "ok" or "in_progress" && Json.Str(f, "address") is { } address =>
                Json.Long(f, "port") is { } port ? (address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}") : address,
            "CONNECT" when Json.Str(f, "result") is "ok" or "in_progress" && Json.Str(f, "path") is { } socketPath => "unix:" + socketPath,
            "TLS_HELLO" => Json.Str(f, "server_name") is { } name ? "tls:" + name : null,
            _ => null,
        };
        if (peer is not null && _nodes.TryGetValue(evt.Pid, out var node) && node.Peers.Count < 32 && !node.Peers.Contains(peer))
        {
            node.Peers.Add(peer);
        }
    }

    /// <summary>The request's first byte: where a call's span starts and a tool's window ends.</summary>
    private void OnHttp(AgentEvent evt)
    {
        if (Json.Str(evt.Fields, "exchange_id") is { } id && Json.Long(Json.Obj(evt.Fields, "request"), "start_ns") is { } start
            && _requestStarts.TryAdd(id, start))
        {
            _requestOrder.Enqueue(id);
            if (_requestOrder.Count > 4096)
            {
                _requestStarts.Remove(_requestOrder.Dequeue());
            }
        }
    }

    private void OnMcp(AgentEvent evt)
    {
        if (evt.Fields is not { } f)
        {
            return;
        }
        var copy = (JsonObject)f.DeepClone();
        copy["_pid"] = (long?)Json.Long(f, "client_pid") ?? evt.Pid;
        copy["_start"] = Json.Long(f, "start_ns") ?? evt.Timestamp;
        _mcp.Add(copy);
        if (_mcp.Count > 1024)
        {
            _mcp.RemoveAt(0);
        }
    }

    private ProcessNode NodeOf(AgentEvent evt)
    {
        if (!_nodes.TryGetValue(evt.Pid, out var node))
        {
            node = Remember(new ProcessNode { Pid = evt.Pid, StartNs = evt.Timestamp, Comm = evt.Comm });
        }
        return node;
    }

    private ProcessNode Remember(ProcessNode node)
    {
        _nodes[node.Pid] = node;
        if (_nodes.Count > config.MaxProcesses)
        {
            // The longest-ended tenth goes; one that was never written is a loss, counted.
            foreach (var old in _nodes.Values.Where(n => n.EndNs is not null && n.Pid != node.Pid).OrderBy(n => n.EndNs)
                .Take(Math.Max(1, config.MaxProcesses / 10)).ToList())
            {
                if (!old.Emitted && (old.Tool is not null || RunOf(old) is not null))
                {
                    _counters.ProcessesEvicted.Add();
                }
                _nodes.Remove(old.Pid);
            }
        }
        return node;
    }

    /// <summary>The topmost known ancestor of <paramref name="pid"/> (itself when its parent is unknown).</summary>
    private int RootOf(int pid)
    {
        var current = pid;
        for (var depth = 0; depth < MaxDepth && _nodes.TryGetValue(current, out var node) && node.Ppid is { } parent && _nodes.ContainsKey(parent); depth++)
        {
            current = parent;
        }
        return current;
    }

    private AgentRun? RunOf(ProcessNode node) => _runs.GetValueOrDefault(RootOf(node.Pid));

    /// <summary>Whether <paramref name="node"/> descends from <paramref name="ancestor"/> (not itself).</summary>
    private bool Descends(ProcessNode node, int ancestor)
    {
        var current = node;
        for (var depth = 0; depth < MaxDepth && current.Ppid is { } parent; depth++)
        {
            if (parent == ancestor)
            {
                return true;
            }
            if (!_nodes.TryGetValue(parent, out current))
            {
                return false;
            }
        }
        return false;
    }

    private void Touch(ProcessNode node, long ns)
    {
        if (RunOf(node) is { } run && ns > run.LastNs)
        {
            run.LastNs = ns;
        }
    }

    private string Cut(string text) =>
        text.Length <= config.MaxAttributeChars ? text : string.Concat(text.AsSpan(0, config.MaxAttributeChars - 1), "…");

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// A message's identity for prefix comparison: FNV-1a (64 bits) of its JSON. Only equality matters, within one
    /// run of the analyzer, so a fast non-cryptographic hash is enough (a collision would at worst join two conversations).
    /// </summary>
    private static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}
