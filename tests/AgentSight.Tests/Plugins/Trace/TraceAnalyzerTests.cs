using System.Text.Json.Nodes;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.Trace.TraceSession;

namespace AgentSight.Tests.Analyzers.Trace;

/// <summary>The trace analyzer on sessions built event by event: the tree, its order, its ids and the ambiguous cases.</summary>
public sealed class TraceAnalyzerTests
{
    private const int Agent = 1000;

    [Fact]
    public void A_tool_calls_process_sits_under_its_execute_tool_span_and_its_result_is_linked()
    {
        var session = new TraceSession();
        session.Exec(Agent, 1, "/usr/bin/node", "/opt/agent/cli.js", "-p", "count files");
        var ask = new JsonArray(User("count files"));
        session.Call(Agent, "node", ask, [Text("Counting."), ToolCall("toolu_1", "Bash", new JsonObject { ["command"] = "ls | wc -l" })]);
        session.Fork(1001, Agent, "node");
        session.Exec(1001, Agent, "/bin/bash", "-c", "ls | wc -l");
        session.Run(1002, 1001, 0, "/usr/bin/ls");
        session.Open(1001, "/tmp/out.txt", write: true);
        session.Exit(1001, Agent);
        var answer = session.Call(Agent, "node",
            [User("count files"), Assistant(Text("Counting."), ToolCall("toolu_1", "Bash", new JsonObject { ["command"] = "ls | wc -l" })), Results(("toolu_1", "12"))],
            [Text("12 files.")]);
        session.Exit(Agent, 1);

        var spans = session.Spans();

        var tool = Single(spans, "execute_tool Bash");
        var bash = Single(spans, "process bash");
        var ls = Single(spans, "process ls");
        var write = Single(spans, "file write /tmp/out.txt");
        Assert.Equal((string?)tool["span_id"], (string?)bash["parent_span_id"]);
        Assert.Equal((string?)bash["span_id"], (string?)ls["parent_span_id"]);
        Assert.Equal((string?)bash["span_id"], (string?)write["parent_span_id"]);
        Assert.Equal("toolu_1", (string?)tool["attributes"]!["gen_ai.tool.call.id"]);
        Assert.Equal(answer, (string?)tool["attributes"]!["agentsight.tool.result.ref"]);
        Assert.Equal("12", (string?)tool["attributes"]!["gen_ai.tool.call.result"]);
        Assert.Equal("ok", (string?)tool["status"]);
        Assert.Equal("/bin/bash -c ls | wc -l", (string?)bash["attributes"]!["process.command_line"]);
        // The tool's window: from the response that asked for it to the request that carried its result.
        var chats = spans.Where(s => (string?)s["operation"] == "chat").ToList();
        Assert.Equal(2, chats.Count);
        Assert.Equal((long)chats[0]["end_ns"]!, (long)tool["start_ns"]!);
        Assert.Equal((long)chats[1]["start_ns"]!, (long)tool["end_ns"]!);
        Assert.Equal((string?)chats[0]["span_id"], (string?)tool["parent_span_id"]);
        // One conversation (the second call's input starts with the first's), one run, written last.
        var conversation = Single(spans, "invoke_agent node #1");
        Assert.All(chats, c => Assert.Equal((string?)conversation["span_id"], (string?)c["parent_span_id"]));
        var run = spans[^1];
        Assert.Equal("invoke_agent node", (string?)run["name"]);
        Assert.Null(run["parent_span_id"]);
        Assert.Equal((string?)run["span_id"], (string?)conversation["parent_span_id"]);
        Assert.Equal(0.009, (double)run["attributes"]!["agentsight.cost.usd"]!, 9);
        Assert.Equal(2000, (long)run["attributes"]!["gen_ai.usage.input_tokens"]!);
        Assert.All(spans, s => Assert.Equal((string?)run["trace_id"], (string?)s["trace_id"]));
        AssertChildrenBeforeParents(spans);
    }

    [Fact]
    public void Parallel_tool_calls_each_get_the_process_whose_command_their_arguments_name()
    {
        var session = new TraceSession();
        var calls = new JsonArray(
            ToolCall("call_a", "shell", new JsonObject { ["command"] = "make test" }),
            ToolCall("call_b", "shell", new JsonObject { ["command"] = "git status" }));
        session.Call(Agent, "codex", [User("check")], calls);
        // Started in the opposite order of the calls: the arguments decide, not the order.
        session.Run(2001, Agent, 0, "/bin/sh", "-c", "git status");
        session.Run(2002, Agent, 2, "/bin/sh", "-c", "make test");
        session.Run(2003, Agent, 0, "/usr/bin/env");
        session.Call(Agent, "codex", [User("check"), Assistant([.. calls.Select(c => c!.DeepClone())]), Results(("call_a", "fail"), ("call_b", "clean"))], [Text("done")]);

        var spans = session.Spans();

        var a = spans.Single(s => (string?)s["attributes"]!["gen_ai.tool.call.id"] == "call_a");
        var b = spans.Single(s => (string?)s["attributes"]!["gen_ai.tool.call.id"] == "call_b");
        var make = spans.Single(s => (string?)s["attributes"]!["process.command_line"] == "/bin/sh -c make test");
        var git = spans.Single(s => (string?)s["attributes"]!["process.command_line"] == "/bin/sh -c git status");
        var env = Single(spans, "process env");
        Assert.Equal((string?)a["span_id"], (string?)make["parent_span_id"]);
        Assert.Equal((string?)b["span_id"], (string?)git["parent_span_id"]);
        // Named by neither: the first tool call open when it started.
        Assert.Equal((string?)a["span_id"], (string?)env["parent_span_id"]);
        Assert.Equal("error", (string?)make["status"]);
        Assert.Equal("exit code 2", (string?)make["status_message"]);
        Assert.Equal("fail", (string?)a["attributes"]!["gen_ai.tool.call.result"]);
        AssertChildrenBeforeParents(spans);
    }

    [Fact]
    public void The_same_session_gives_the_same_spans_every_time()
    {
        var session = Demo();

        var first = session.Spans().Select(s => s.ToJsonString()).ToList();
        var second = session.Spans().Select(s => s.ToJsonString()).ToList();

        Assert.NotEmpty(first);
        Assert.Equal(first, second);
        Assert.All(first, s => Assert.Matches("\"trace_id\":\"[0-9a-f]{32}\",\"span_id\":\"[0-9a-f]{16}\"", s));
        Assert.Equal(first.Count, first.Select(s => JsonNode.Parse(s)!["span_id"]!.ToString()).Distinct().Count());
    }

    [Fact]
    public void A_nested_agent_hangs_under_the_process_its_parents_tool_started()
    {
        var session = new TraceSession();
        var task = ToolCall("toolu_task", "Task", new JsonObject { ["prompt"] = "review the diff" });
        session.Call(Agent, "claude", [User("review")], [task]);
        session.Fork(3001, Agent, "claude");
        session.Exec(3001, Agent, "/usr/bin/claude", "-p", "review the diff");
        session.Call(3001, "claude", [User("review the diff")], [Text("looks fine")], system: "You are a reviewer.");
        session.Exit(3001, Agent);
        session.Call(Agent, "claude", [User("review"), Assistant(task), Results(("toolu_task", "looks fine"))], [Text("Reviewed.")]);

        var spans = session.Spans();

        var tool = Single(spans, "execute_tool Task");
        var process = Single(spans, "process claude");
        var nested = spans.Single(s => (string?)s["attributes"]!["agentsight.trace.level"] == "conversation" && (int?)s["attributes"]!["process.pid"] == 3001);
        Assert.Equal((string?)tool["span_id"], (string?)process["parent_span_id"]);
        Assert.Equal((string?)process["span_id"], (string?)nested["parent_span_id"]);
        Assert.Equal(2, spans.Count(s => (string?)s["attributes"]!["agentsight.trace.level"] == "conversation"));
        Assert.Single(spans, s => (string?)s["attributes"]!["agentsight.trace.level"] == "run");
        AssertChildrenBeforeParents(spans);
    }

    [Fact]
    public void A_tool_the_agent_runs_itself_gets_the_file_its_arguments_name()
    {
        var session = new TraceSession();
        var write = ToolCall("toolu_w", "Write", new JsonObject { ["file_path"] = "notes/report.md", ["content"] = "# Report" });
        session.Call(Agent, "node", [User("write it")], [write]);
        session.Open(Agent, "/home/me/.config/agent.json", write: false);
        session.Open(Agent, "/work/notes/report.md", write: true);
        session.Call(Agent, "node", [User("write it"), Assistant(write), Results(("toolu_w", "ok"))], [Text("Written.")]);

        var spans = session.Spans();

        var file = Single(spans, "file write /work/notes/report.md");
        Assert.Equal((string?)Single(spans, "execute_tool Write")["span_id"], (string?)file["parent_span_id"]);
        Assert.DoesNotContain(spans, s => ((string?)s["name"])!.Contains("agent.json", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tool_call_whose_result_never_came_ends_unset_and_is_counted()
    {
        var session = new TraceSession();
        session.Call(Agent, "node", [User("go")], [ToolCall("toolu_x", "Bash", new JsonObject { ["command"] = "sleep 100" })]);
        session.Run(4001, Agent, 0, "/bin/sh", "-c", "sleep 100");
        var context = new TestStageContext();

        var spans = session.Spans(context);

        var tool = Single(spans, "execute_tool Bash");
        Assert.Equal("unset", (string?)tool["status"]);
        Assert.Equal("no result was seen", (string?)tool["status_message"]);
        Assert.Equal((string?)tool["span_id"], (string?)Single(spans, "process sh")["parent_span_id"]);
        Assert.Equal(1, context.CounterValue("tool_calls_unanswered"));
        Assert.Equal("unset", (string?)spans[^1]["status"]);
        AssertChildrenBeforeParents(spans);
    }

    [Fact]
    public void Calls_with_different_first_messages_are_different_conversations()
    {
        var session = Demo();

        var spans = session.Spans();

        Assert.Equal(2, spans.Count(s => (string?)s["attributes"]!["agentsight.trace.level"] == "conversation"));
        var conversations = spans.Where(s => (string?)s["attributes"]!["agentsight.trace.level"] == "conversation").Select(s => (string?)s["span_id"]).ToHashSet();
        Assert.All(spans.Where(s => (string?)s["operation"] == "chat"), c => Assert.Contains((string?)c["parent_span_id"], conversations));
    }

    [Fact]
    public void Bounds_are_validated_by_key()
    {
        var config = new AgentSight.Plugins.Trace.TraceAnalyzerConfig { MaxProcesses = 0, MaxAttributeChars = 3, IgnoreReadPrefixes = [""] };

        var keys = config.Validate().Select(e => e.Key).ToList();

        Assert.Equal(["max_processes", "max_attribute_chars", "ignore_read_prefixes[0]"], keys);
    }

    /// <summary>Two conversations, a tool call with a process in between.</summary>
    private static TraceSession Demo()
    {
        var session = new TraceSession();
        session.Exec(Agent, 1, "/usr/bin/python3", "agent.py");
        var call = ToolCall("toolu_u", "run_command", new JsonObject { ["command"] = "uname -sr" });
        session.Call(Agent, "python3", [User("look around")], [call]);
        session.Run(5001, Agent, 0, "/bin/sh", "-c", "uname -sr");
        session.Call(Agent, "python3", [User("look around"), Assistant(call), Results(("toolu_u", "Linux"))], [Text("Linux.")]);
        session.Call(Agent, "python3", [User("A title for: Linux.")], [Text("Linux")], model: "gpt-4.1-mini");
        session.Exit(Agent, 1);
        return session;
    }

    private static JsonObject Single(List<JsonObject> spans, string name) => Assert.Single(spans, s => (string?)s["name"] == name);

    /// <summary>Every span's parent is written after it, and the trace has one root.</summary>
    internal static void AssertChildrenBeforeParents(List<JsonObject> spans)
    {
        var position = spans.Select((s, i) => ((string)s["span_id"]!, i)).ToDictionary(p => p.Item1, p => p.i);
        for (var i = 0; i < spans.Count; i++)
        {
            if ((string?)spans[i]["parent_span_id"] is { } parent)
            {
                Assert.True(position.TryGetValue(parent, out var at), $"{spans[i]["name"]}: parent {parent} was never written");
                Assert.True(at > i, $"{spans[i]["name"]} was written after its parent {spans[at]["name"]}");
            }
        }
    }
}
