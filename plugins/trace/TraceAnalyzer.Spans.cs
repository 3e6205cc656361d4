using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.JsonNodes;

namespace AgentSight.Plugins.Trace;

/// <summary>Ending spans and writing them, children first.</summary>
internal sealed partial class TraceAnalyzer
{
    /// <summary>How long after its root process exited a run stays open for calls still on their way through the chain (pipeline clock).</summary>
    private const long RunGraceNs = 2_000_000_000;

    private readonly Dictionary<(int, long), int> _runGenerations = [];

    public TimeSpan TimerInterval => TimeSpan.FromSeconds(1);

    public void OnTimer(long now, IEventOutput output)
    {
        _output = output;
        foreach (var run in _runs.Values.Where(r => r.RootExitedNs is { } exited && now - exited >= RunGraceNs).ToList())
        {
            CloseRun(run, run.RootExitedNs!.Value, rootExited: true);
        }
    }

    private static string ProcessSpanId(AgentRun run, ProcessNode node) => SpanIds.Span(run.TraceId, "process", node.Pid, node.StartNs);

    /// <summary>
    /// The tool call a process belongs to, decided now (a nested agent's first call comes while its tool still runs):
    /// its own or an ancestor's, else the tool calls its agent parent had open when the topmost such ancestor started.
    /// </summary>
    private ToolCall? AssignNow(AgentRun run, ProcessNode node)
    {
        var current = node;
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            if (current.Tool is { } tool)
            {
                return tool;
            }
            if (current.Ppid is not { } parent)
            {
                return null;
            }
            if (_agentOpens.ContainsKey(parent))
            {
                var started = current.StartNs;
                var open = run.OpenTools.Where(t => t.Call.Pid == parent && t.OpenedNs <= started).ToList();
                if (open.Count == 0)
                {
                    return null;
                }
                var response = open[^1].Call;
                current.Tool = ToolMatcher.Pick([.. open.Where(t => t.Call == response)], current);
                return current.Tool;
            }
            if (!_nodes.TryGetValue(parent, out current))
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>The tool a process inherits from its nearest ancestor below the agent that has one.</summary>
    private ToolCall? Inherited(ProcessNode node, int agent)
    {
        var current = node;
        for (var depth = 0; depth < MaxDepth && current.Ppid is { } parent && parent != agent && _nodes.TryGetValue(parent, out current); depth++)
        {
            if (current.Tool is { } tool)
            {
                return tool;
            }
        }
        return null;
    }

    /// <summary>
    /// Ends tool calls at <paramref name="windowEnd"/> (the request carrying their results, or the end of what was
    /// seen): decides which processes started in their window ran for which, then writes each tool's processes, files,
    /// MCP calls and the tool itself, and each call whose tools have all ended.
    /// </summary>
    private void CloseTools(AgentRun run, List<(ToolCall Tool, JsonNode? Result)> closing, long windowEnd, string? resultKey)
    {
        closing.Sort((a, b) => a.Tool.Call.StartNs != b.Tool.Call.StartNs ? a.Tool.Call.StartNs.CompareTo(b.Tool.Call.StartNs) : a.Tool.Index.CompareTo(b.Tool.Index));
        foreach (var group in closing.GroupBy(c => c.Tool.Call.Pid))
        {
            var agent = group.Key;
            var tools = group.Select(c => c.Tool).ToList();
            var from = tools.Min(t => t.OpenedNs);
            var started = _nodes.Values
                .Where(n => n.Tool is null && !n.UnderRun && !n.Emitted && n.Pid != agent && n.StartNs >= from && n.StartNs <= windowEnd && Descends(n, agent))
                .OrderBy(n => n.StartNs).ThenBy(n => n.Pid).ToList();
            foreach (var node in started)
            {
                node.Tool = Inherited(node, agent) ?? ToolMatcher.Pick([.. tools.Where(t => t.OpenedNs <= node.StartNs).DefaultIfEmpty(tools[0])], node);
            }
            var agentFiles = _agentOpens.TryGetValue(agent, out var opens)
                ? opens.Where(o => o.TimestampNs >= from && o.TimestampNs <= windowEnd).ToList()
                : [];
            var mcp = _mcp.Where(m => Json.Long(m, "_pid") == agent && Json.Long(m, "_start") is { } s && s >= from && s <= windowEnd).ToList();
            _mcp.RemoveAll(mcp.Contains);

            foreach (var (tool, result) in group)
            {
                var span = tool.Span;
                span.EndNs = Math.Max(windowEnd, tool.OpenedNs);
                foreach (var nested in run.Conversations.Where(c => c.UnderTool == tool && !c.Closed).ToList())
                {
                    CloseConversation(nested, span.EndNs);
                }
                var mine = _nodes.Values.Where(n => n.Tool == tool && !n.Emitted).ToList();
                var written = EmitProcesses(run, mine, span.SpanId, span.EndNs, tool.Call.Pid, tool.Call.Comm);
                var files = agentFiles.Where(o => ToolMatcher.ForPath(tools, o.Path) == tool).ToList();
                written.Files += EmitFiles(run.TraceId, files, span.SpanId, tool.Call.Pid, tool.Call.Pid, tool.Call.Comm);
                foreach (var call in mcp.Where(m => McpTool(tools, m) == tool))
                {
                    EmitMcp(run, call, span.SpanId, tool.Call.Pid, tool.Call.Comm);
                }
                span.Set("agentsight.tool.processes", written.Processes).Set("agentsight.tool.files", written.Files);
                if (resultKey is not null && result is not null)
                {
                    span.Set("agentsight.tool.result.ref", resultKey);
                    if (config.IncludeResults && Json.Text(result) is { } text)
                    {
                        span.Set("gen_ai.tool.call.result", Cut(text));
                    }
                }
                else
                {
                    span.Status = "unset";
                    span.StatusMessage = "no result was seen";
                    _counters.ToolsUnanswered.Add();
                }
                tool.Closed = true;
                run.OpenTools.Remove(tool);
                Emit(span, tool.Call.Pid, tool.Call.Comm);
                if (tool.Call.Tools.TrueForAll(t => t.Closed))
                {
                    EmitChat(tool.Call);
                }
            }
        }
    }

    /// <summary>An MCP call goes to the tool call of the same name (Claude Code's <c>mcp__server__tool</c> ends with it), else the first.</summary>
    private static ToolCall McpTool(List<ToolCall> tools, JsonObject mcp) =>
        Json.Str(mcp, "gen_ai.tool.name") is { Length: > 0 } name
            ? tools.FirstOrDefault(t => t.Name == name || t.Name.EndsWith("__" + name, StringComparison.Ordinal) || t.Name.EndsWith("_" + name, StringComparison.Ordinal)) ?? tools[0]
            : tools[0];

    private void EmitChat(ChatCall call)
    {
        if (call.Emitted)
        {
            return;
        }
        call.Emitted = true;
        call.Conversation.Pending.Remove(call);
        var conversation = call.Conversation.Span;
        conversation.EndNs = Math.Max(conversation.EndNs, call.Tools.Count == 0 ? call.EndNs : Math.Max(call.EndNs, call.Tools.Max(t => t.Span.EndNs)));
        Emit(call.Span, call.Pid, call.Comm);
    }

    private (long Processes, long Files) EmitProcesses(AgentRun run, List<ProcessNode> nodes, string parent, long capEnd, int pid, string comm)
    {
        var set = nodes.Select(n => n.Pid).ToHashSet();
        var children = nodes.Where(n => n.Ppid is { } p && set.Contains(p)).ToLookup(n => n.Ppid!.Value);
        (long Processes, long Files) written = (0, 0);
        void Write(ProcessNode node, string parentId)
        {
            var id = ProcessSpanId(run, node);
            foreach (var child in children[node.Pid].OrderBy(c => c.StartNs).ThenBy(c => c.Pid))
            {
                Write(child, id);
            }
            written.Files += EmitFiles(run.TraceId, node.Files, id, node.Pid, pid, comm);
            var span = new SpanRecord
            {
                TraceId = run.TraceId,
                SpanId = id,
                ParentSpanId = parentId,
                Name = $"process {node.ShortName}",
                Operation = SpanOperation.Process,
                StartNs = node.StartNs,
                EndNs = node.EndNs ?? Math.Max(capEnd, node.StartNs),
                Ref = new JsonObject { ["source"] = "process", ["pid"] = node.Pid },
            };
            span.Set("process.pid", node.Pid).Set("process.parent_pid", node.Ppid).Set("process.command_line", Cut(node.CommandLine))
                .Set("process.executable.path", node.Executable).Set("process.exit.code", node.ExitCode)
                .Set("container.id", node.ContainerId);
            if (node.Peers.Count > 0)
            {
                span.Set("agentsight.network.peers", new JsonArray([.. node.Peers.Select(p => (JsonNode)p)]));
            }
            if (node.EndNs is null)
            {
                span.Status = "unset";
                span.StatusMessage = "still running when the span was written";
                span.Set("agentsight.process.running", true);
            }
            else if (node.Signal is { } signal)
            {
                span.Status = "error";
                span.StatusMessage = $"killed by signal {signal}";
            }
            else if (node.ExitCode is { } code and not 0)
            {
                span.Status = "error";
                span.StatusMessage = $"exit code {code}";
            }
            node.Emitted = true;
            written.Processes++;
            _counters.Processes.Add();
            Emit(span, pid, comm);
        }
        foreach (var root in nodes.Where(n => n.Ppid is not { } p || !set.Contains(p)).OrderBy(n => n.StartNs).ThenBy(n => n.Pid))
        {
            Write(root, parent);
        }
        return written;
    }

    /// <summary>One span per file and kind of access (read, write) under <paramref name="parent"/>, from its first open to its last.</summary>
    private long EmitFiles(string traceId, List<FileAccess> opens, string parent, int opener, int pid, string comm)
    {
        long count = 0;
        foreach (var file in opens.GroupBy(o => (o.Path, o.Writes)))
        {
            var access = file.Key.Writes ? "write" : "read";
            var first = file.Min(o => o.TimestampNs);
            var span = new SpanRecord
            {
                TraceId = traceId,
                SpanId = SpanIds.Span(parent, "file", opener, file.Key.Path, access),
                ParentSpanId = parent,
                Name = $"file {access} {file.Key.Path}",
                Operation = SpanOperation.File,
                StartNs = first,
                EndNs = file.Max(o => o.TimestampNs),
                Ref = new JsonObject { ["source"] = "process", ["pid"] = opener },
            };
            span.Set("file.path", Cut(file.Key.Path)).Set("agentsight.file.access", access).Set("agentsight.file.opens", file.Count()).Set("process.pid", opener);
            count++;
            _counters.Files.Add();
            Emit(span, pid, comm);
        }
        return count;
    }

    private void EmitMcp(AgentRun run, JsonObject mcp, string parent, int pid, string comm)
    {
        var method = Json.Str(mcp, "mcp.method.name") ?? "(unknown)";
        var tool = Json.Str(mcp, "gen_ai.tool.name");
        var start = Json.Long(mcp, "_start") ?? 0;
        var span = new SpanRecord
        {
            TraceId = run.TraceId,
            SpanId = SpanIds.Span(run.TraceId, "mcp", Json.Long(mcp, "_pid") ?? 0, Json.Text(mcp["jsonrpc.request.id"]) ?? "", start),
            ParentSpanId = parent,
            Name = tool is null ? $"mcp {method}" : $"mcp {method} {tool}",
            Operation = SpanOperation.Mcp,
            Kind = "client",
            StartNs = start,
            EndNs = Json.Long(mcp, "end_ns") ?? start,
        };
        span.Set("mcp.method.name", method).Set("gen_ai.tool.name", tool).Set("jsonrpc.request.id", Json.Text(mcp["jsonrpc.request.id"]))
            .Set("mcp.session.id", Json.Str(mcp, "mcp.session.id")).Set("network.transport", Json.Str(mcp, "transport"))
            .Set("mcp.server.name", Json.Str(Json.Obj(mcp, "server"), "name"));
        if (Json.Bool(mcp, "is_error") == true || Json.Obj(mcp, "error") is not null)
        {
            span.Status = "error";
            span.StatusMessage = Json.Str(Json.Obj(mcp, "error"), "message") ?? "the tool reported an error";
        }
        _counters.McpCalls.Add();
        Emit(span, pid, comm);
    }

    private void CloseConversation(Conversation conversation, long endNs)
    {
        if (conversation.Closed)
        {
            return;
        }
        conversation.Closed = true;
        var run = conversation.Run;
        var open = run.OpenTools.Where(t => t.Call.Conversation == conversation).Select(t => (t, (JsonNode?)null)).ToList();
        if (open.Count > 0)
        {
            CloseTools(run, open, Math.Max(endNs, open.Max(o => o.t.OpenedNs)), null);
        }
        var span = conversation.Span;
        foreach (var call in conversation.Pending.ToList())
        {
            EmitChat(call);
        }
        conversation.Totals.WriteTo(span);
        run.Conversations.Remove(conversation);
        Emit(span, conversation.Pid, conversation.Comm);
    }

    private void CloseRun(AgentRun run, long endNs, bool rootExited)
    {
        if (run.Closed)
        {
            return;
        }
        run.Closed = true;
        foreach (var conversation in run.Conversations.OrderBy(c => c.Span.StartNs).ToList())
        {
            CloseConversation(conversation, endNs);
        }
        var span = run.Span;
        span.EndNs = Math.Max(span.StartNs, Math.Max(endNs, run.LastNs));
        // What the agent's tree did outside any tool's window (start-up, between turns) hangs under the run itself.
        var rest = _nodes.Values.Where(n => n.Pid != run.RootPid && !n.Emitted && RootOf(n.Pid) == run.RootPid).ToList();
        foreach (var late in rest.Where(n => n.Tool is not null))
        {
            _counters.ProcessesLate.Add();
            late.Emitted = true;
        }
        var outside = rest.Where(n => n.Tool is null).ToList();
        outside.ForEach(n => n.UnderRun = true);
        EmitProcesses(run, outside, span.SpanId, span.EndNs, run.AgentPid, run.AgentComm);
        if (rootExited && _nodes.TryGetValue(run.RootPid, out var root))
        {
            span.Set("process.exit.code", root.ExitCode);
            if (root.Signal is { } signal)
            {
                span.Status = "error";
                span.StatusMessage = $"killed by signal {signal}";
            }
            else if (root.ExitCode is { } code and not 0)
            {
                span.Status = "error";
                span.StatusMessage = $"exit code {code}";
            }
        }
        else if (!rootExited)
        {
            span.Status = "unset";
            span.StatusMessage = "the run's end was not seen";
        }
        run.Totals.WriteTo(span);
        span.Set("agentsight.conversations", run.ConversationCount);
        foreach (var agent in _agentOpens.Keys.Where(pid => RootOf(pid) == run.RootPid).ToList())
        {
            _agentOpens.Remove(agent);
        }
        _runs.Remove(run.RootPid);
        Emit(span, run.AgentPid, run.AgentComm);
    }

    private void Emit(SpanRecord span, int pid, string comm)
    {
        _counters.Spans.Add();
        _output.Emit(span.ToEvent(pid, comm));
    }
}
