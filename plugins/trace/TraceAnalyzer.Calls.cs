using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.JsonNodes;

namespace AgentSight.Plugins.Trace;

/// <summary>An <c>llm</c> event: its run, its conversation, the tool results it carries and the tool calls it returns.</summary>
internal sealed partial class TraceAnalyzer
{
    private void OnCall(AgentEvent evt)
    {
        var f = evt.Fields;
        if (f is null)
        {
            return;
        }
        var exchange = Json.Str(f, "exchange_id");
        var key = exchange is null ? $"{evt.Pid}@{Number(evt.Timestamp)}"
            : Json.Str(f, "transport") == "websocket" ? $"{exchange}#{Json.Str(f, "gen_ai.response.id") ?? Number(evt.Timestamp)}"
            : exchange;
        var end = evt.Timestamp;
        var start = exchange is not null && Json.Str(f, "transport") != "websocket" && _requestStarts.TryGetValue(exchange, out var asked) ? asked
            : Json.Double(f, "duration_ms") is { } ms ? end - (long)(ms * 1_000_000) : end;
        start = Math.Min(start, end);

        var run = RunFor(evt, start);
        var history = HistoryOf(f);
        var given = Json.Str(f, "gen_ai.conversation.id");
        var conversation = FindConversation(run, evt.Pid, history, given) ?? NewConversation(run, evt, history, given, key, start);

        var model = Json.Str(f, "gen_ai.response.model") ?? Json.Str(f, "gen_ai.request.model");
        var span = new SpanRecord
        {
            TraceId = run.TraceId,
            SpanId = SpanIds.Span(run.TraceId, "chat", key),
            ParentSpanId = conversation.Span.SpanId,
            Name = model is null ? "chat" : $"chat {model}",
            Operation = SpanOperation.Chat,
            Kind = "client",
            StartNs = start,
            EndNs = end,
            Ref = new JsonObject { ["source"] = "llm", ["key"] = key },
        };
        var input = Json.Long(f, "gen_ai.usage.input_tokens");
        var output = Json.Long(f, "gen_ai.usage.output_tokens");
        var usd = Json.Obj(f, "cost") is { } cost ? Json.Double(cost, "usd") : null;
        span.Set("gen_ai.operation.name", Json.Str(f, "gen_ai.operation.name") ?? "chat")
            .Set("gen_ai.provider.name", Json.Str(f, "gen_ai.provider.name"))
            .Set("gen_ai.request.model", Json.Str(f, "gen_ai.request.model"))
            .Set("gen_ai.response.model", Json.Str(f, "gen_ai.response.model"))
            .Set("gen_ai.response.id", Json.Str(f, "gen_ai.response.id"))
            .Set("gen_ai.response.finish_reasons", f["gen_ai.response.finish_reasons"]?.DeepClone())
            .Set("gen_ai.usage.input_tokens", input)
            .Set("gen_ai.usage.output_tokens", output)
            .Set("gen_ai.usage.cache_read.input_tokens", Json.Long(f, "gen_ai.usage.cache_read.input_tokens"))
            .Set("gen_ai.usage.cache_creation.input_tokens", Json.Long(f, "gen_ai.usage.cache_creation.input_tokens"))
            .Set("gen_ai.usage.reasoning.output_tokens", Json.Long(f, "gen_ai.usage.reasoning.output_tokens"))
            .Set("gen_ai.conversation.id", conversation.GivenId ?? conversation.Span.SpanId)
            .Set("server.address", Json.Str(f, "server.address"))
            .Set("error.type", Json.Str(f, "error.type"))
            .Set("process.pid", evt.Pid)
            .Set("container.id", ContainerOf(evt.Pid))
            .Set("agentsight.cost.usd", usd);
        if (Json.Str(f, "error.type") is { } error)
        {
            span.Status = "error";
            span.StatusMessage = error;
        }
        else if (Json.Bool(f, "complete") == false)
        {
            span.Status = "unset";
            span.StatusMessage = "the call was not seen whole";
        }
        var call = new ChatCall { Key = key, Pid = evt.Pid, Comm = evt.Comm, StartNs = start, EndNs = end, Span = span, Conversation = conversation };
        conversation.Pending.Add(call);
        conversation.Span.StartNs = Math.Min(conversation.Span.StartNs, start);
        conversation.Span.EndNs = Math.Max(conversation.Span.EndNs, end);
        if (history.Length > 0)
        {
            conversation.History = history;
        }
        conversation.Totals.Add(input, output, usd);
        run.Totals.Add(input, output, usd);
        run.LastNs = Math.Max(run.LastNs, end);
        _counters.Chats.Add();

        // The results this request carries end their tool calls: the window of each is [its asking response's end, this request's start].
        var answered = new List<(ToolCall Tool, JsonNode? Result)>();
        foreach (var (id, result) in ResultsOf(f))
        {
            var tool = run.OpenTools.FirstOrDefault(t => t.Id == id) ?? run.OpenTools.FirstOrDefault(t => t.Id is null && t.Name == id);
            if (tool is not null)
            {
                if (!answered.Exists(a => a.Tool == tool))
                {
                    answered.Add((tool, result));
                }
            }
            else if (!_seenToolIds.Contains(id))
            {
                _counters.ResultsUnmatched.Add();
                Seen(id);
            }
        }
        if (answered.Count > 0)
        {
            CloseTools(run, answered, start, key);
        }

        var index = 0;
        foreach (var message in Json.Arr(f, "gen_ai.output.messages") ?? [])
        {
            foreach (var part in Json.Arr(message, "parts") ?? [])
            {
                if (Json.Str(part, "type") != "tool_call")
                {
                    continue;
                }
                var name = Json.Str(part, "name") ?? "(unnamed)";
                var id = Json.Str(part, "id");
                var toolSpan = new SpanRecord
                {
                    TraceId = run.TraceId,
                    SpanId = SpanIds.Span(run.TraceId, "tool", key, id ?? $"#{index}"),
                    ParentSpanId = span.SpanId,
                    Name = $"execute_tool {name}",
                    Operation = SpanOperation.ExecuteTool,
                    StartNs = end,
                    EndNs = end,
                    Ref = new JsonObject { ["source"] = "llm", ["key"] = key },
                };
                var arguments = part?["arguments"];
                toolSpan.Set("gen_ai.operation.name", "execute_tool").Set("gen_ai.tool.name", name).Set("gen_ai.tool.call.id", id)
                    .Set("gen_ai.tool.type", "function").Set("gen_ai.conversation.id", conversation.GivenId ?? conversation.Span.SpanId)
                    .Set("process.pid", evt.Pid).Set("container.id", ContainerOf(evt.Pid));
                if (config.IncludeArguments && Json.Text(arguments) is { } text)
                {
                    toolSpan.Set("gen_ai.tool.call.arguments", Cut(text));
                }
                var tool = new ToolCall { Call = call, Index = index++, Id = id, Name = name, Arguments = arguments, OpenedNs = end, Span = toolSpan };
                tool.ArgumentStrings.AddRange(Json.Strings(arguments).Where(s => s.Length > 0));
                call.Tools.Add(tool);
                run.OpenTools.Add(tool);
                _counters.Tools.Add();
                if (id is not null)
                {
                    Seen(id);
                }
                if (run.OpenTools.Count > config.MaxOpenTools)
                {
                    _counters.ToolsEvicted.Add();
                    var oldest = run.OpenTools[0];
                    CloseTools(run, [(oldest, null)], Math.Max(oldest.OpenedNs, end), null);
                }
            }
        }
        if (call.Tools.Count == 0)
        {
            EmitChat(call);
        }
    }

    private void Seen(string id)
    {
        if (_seenToolIds.Add(id))
        {
            _seenToolOrder.Enqueue(id);
            if (_seenToolOrder.Count > 65_536)
            {
                _seenToolIds.Remove(_seenToolOrder.Dequeue());
            }
        }
    }

    /// <summary>The tool results a request carries: <c>tool_call_response</c> parts (id, or Gemini's function name, and the response).</summary>
    private static IEnumerable<(string Id, JsonNode? Result)> ResultsOf(JsonObject f)
    {
        foreach (var message in Json.Arr(f, "gen_ai.input.messages") ?? [])
        {
            foreach (var part in Json.Arr(message, "parts") ?? [])
            {
                if (Json.Str(part, "type") == "tool_call_response" && Json.Str(part, "id") is { } id)
                {
                    yield return (id, part?["response"]);
                }
            }
        }
    }

    /// <summary>The call's system instructions and input messages, each as a hash; empty when the input was not recorded.</summary>
    private static ulong[] HistoryOf(JsonObject f)
    {
        if (Json.Arr(f, "gen_ai.input.messages") is not { Count: > 0 } messages)
        {
            return [];
        }
        var history = new ulong[messages.Count + 1];
        history[0] = Hash(f["gen_ai.system_instructions"]?.ToJsonString() ?? "");
        for (var i = 0; i < messages.Count; i++)
        {
            history[i + 1] = Hash(messages[i]?.ToJsonString() ?? "null");
        }
        return history;
    }

    /// <summary>
    /// The agent's name: its process's, as its exec named it, not the calling thread's (Claude Code's Bun makes its
    /// calls from a thread named "HTTP Client").
    /// </summary>
    private string AgentName(AgentEvent evt) => _nodes.TryGetValue(evt.Pid, out var node) && node.Comm.Length > 0 ? node.Comm : evt.Comm;

    private AgentRun RunFor(AgentEvent evt, long start)
    {
        if (!_nodes.ContainsKey(evt.Pid))
        {
            // An agent seen only through its traffic (a recording without process events, a followed process): known
            // from its first call, so that the processes it starts find their way to its run.
            Remember(new ProcessNode { Pid = evt.Pid, StartNs = start, Comm = evt.Comm });
        }
        var root = RootOf(evt.Pid);
        if (!_agentOpens.ContainsKey(evt.Pid))
        {
            _agentOpens.Add(evt.Pid, new Queue<FileAccess>());
        }
        if (_runs.TryGetValue(root, out var run))
        {
            return run;
        }
        if (_runs.Count >= config.MaxRuns)
        {
            _counters.RunsEvicted.Add();
            var idle = _runs.Values.OrderBy(r => r.LastNs).First();
            CloseRun(idle, idle.LastNs, rootExited: false);
        }
        var rootNode = _nodes.GetValueOrDefault(root);
        var rootStart = Math.Min(rootNode?.StartNs ?? start, start);
        // A second run with the same root and start (a call that came after its run ended) gets ids of its own.
        var generation = _runGenerations[(root, rootStart)] = _runGenerations.GetValueOrDefault((root, rootStart)) + 1;
        var traceId = SpanIds.Trace("run", root, rootStart, generation);
        var span = new SpanRecord
        {
            TraceId = traceId,
            SpanId = SpanIds.Span(traceId, "run"),
            Name = $"invoke_agent {AgentName(evt)}",
            Operation = SpanOperation.InvokeAgent,
            StartNs = rootStart,
            EndNs = start,
            Ref = new JsonObject { ["source"] = "process", ["pid"] = root },
        };
        span.Set("gen_ai.operation.name", "invoke_agent").Set("gen_ai.agent.name", AgentName(evt)).Set("agentsight.trace.level", "run")
            .Set("gen_ai.provider.name", Json.Str(evt.Fields, "gen_ai.provider.name")).Set("process.pid", root);
        if (rootNode is not null)
        {
            span.Set("process.command_line", Cut(rootNode.CommandLine)).Set("container.id", rootNode.ContainerId);
        }
        run = new AgentRun { RootPid = root, Span = span, AgentPid = evt.Pid, AgentComm = evt.Comm, LastNs = evt.Timestamp };
        _runs.Add(root, run);
        _counters.Runs.Add();
        return run;
    }

    /// <summary>
    /// The open conversation of this agent process the call continues: the same conversation id, else the longest
    /// history (system prompt and first message at least) the call's input starts with; the latest one on a tie.
    /// </summary>
    private static Conversation? FindConversation(AgentRun run, int pid, ulong[] history, string? given)
    {
        if (given is not null)
        {
            return run.Conversations.LastOrDefault(c => c.GivenId == given);
        }
        if (history.Length == 0)
        {
            return run.Conversations.LastOrDefault(c => c.Pid == pid && c.GivenId is null && c.History.Length == 0);
        }
        Conversation? best = null;
        foreach (var conversation in run.Conversations)
        {
            var h = conversation.History;
            if (conversation.Pid != pid || conversation.GivenId is not null || h.Length < Math.Min(2, history.Length) || h.Length > history.Length)
            {
                continue;
            }
            if (h.AsSpan().SequenceEqual(history.AsSpan(0, h.Length)) && (best is null || h.Length >= best.History.Length))
            {
                best = conversation;
            }
        }
        return best;
    }

    private Conversation NewConversation(AgentRun run, AgentEvent evt, ulong[] history, string? given, string key, long start)
    {
        if (run.Conversations.Count >= config.MaxConversations)
        {
            _counters.ConversationsEvicted.Add();
            CloseConversation(run.Conversations[0], run.LastNs);
        }
        // A nested agent (a process a tool started that calls a model itself) hangs under that process's span.
        var parent = run.Span.SpanId;
        ToolCall? under = null;
        if (_nodes.TryGetValue(evt.Pid, out var node) && evt.Pid != run.RootPid && AssignNow(run, node) is { } tool)
        {
            under = tool;
            parent = ProcessSpanId(run, node);
        }
        var number = ++run.ConversationCount;
        var span = new SpanRecord
        {
            TraceId = run.TraceId,
            SpanId = SpanIds.Span(run.TraceId, "conversation", key),
            ParentSpanId = parent,
            Name = $"invoke_agent {AgentName(evt)} #{number}",
            Operation = SpanOperation.InvokeAgent,
            StartNs = start,
            EndNs = start,
        };
        span.Set("gen_ai.operation.name", "invoke_agent").Set("gen_ai.agent.name", AgentName(evt)).Set("agentsight.trace.level", "conversation")
            .Set("agentsight.conversation.number", number).Set("process.pid", evt.Pid);
        var conversation = new Conversation { Run = run, Span = span, Pid = evt.Pid, Comm = evt.Comm, GivenId = given, History = history, UnderTool = under };
        span.Set("gen_ai.conversation.id", given ?? span.SpanId);
        run.Conversations.Add(conversation);
        _counters.Conversations.Add();
        return conversation;
    }
}
