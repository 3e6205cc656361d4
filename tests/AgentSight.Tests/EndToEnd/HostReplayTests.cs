using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Traffic;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.Support.ExpectedCall;

namespace AgentSight.Tests.Analyzers.EndToEnd;

/// <summary>The real host, replaying a recording through http → sse → llm → file, as a user runs it.</summary>
public sealed class HostReplayTests
{
    [Fact]
    public async Task Replaying_streamed_anthropic_openai_and_gemini_calls_gives_one_llm_event_per_call()
    {
        using var temp = TempFolder.ForCaller();
        var recording = SyntheticTraffic.Generate(new SyntheticOptions { Count = 30, Seed = 31, StartTime = Some.Epoch });
        var input = temp.Combine("recording.jsonl");
        using (var file = File.Create(input))
        using (var formatter = new EventLineFormatter())
        {
            foreach (var evt in recording.Events)
            {
                file.Write(formatter.Format(evt).Span);
            }
        }
        var output = temp.Combine("events.jsonl");
        var plugins = Artifacts.MakePluginsFolder(temp, "http", "sse", "llm", "file");
        var manifest = Manifests.Write(temp, """{ "plugin": "http" }""", """{ "plugin": "sse" }""", """{ "plugin": "llm" }""",
            $$"""{ "plugin": "file", "config": { "path": "{{output}}", "append": false } }""");

        var (code, _, stderr) = await HostProcess.RunAsync(["--plugins", plugins, "--manifest", manifest, "replay", input], timeout: TimeSpan.FromSeconds(120));

        Assert.True(code == 0, stderr);
        var events = File.ReadAllLines(output).Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
        var calls = events.Where(e => (string?)e["source"] == "llm").Select(e => e["data"]!.AsObject()).ToList();
        Assert.Equal(recording.Calls.Count, calls.Count);
        Assert.Contains(recording.Calls, c => c.Stream && c.Provider == SyntheticProvider.Anthropic);
        Assert.Contains(recording.Calls, c => c.Stream && c.Provider == SyntheticProvider.OpenAi);
        Assert.Contains(recording.Calls, c => c.Stream && c.Provider == SyntheticProvider.Gemini);
        foreach (var call in recording.Calls)
        {
            var llm = Assert.Single(calls, c => (string?)c["gen_ai.response.id"] == call.ResponseId);
            Assert.Equal(call.AnswerText, OutputText(llm));
            Assert.Equal(call.Model, (string?)llm["gen_ai.request.model"]);
            Assert.Equal(call.ResponseModel, (string?)llm["gen_ai.response.model"]);
            Assert.Equal(InputTokens(call), (long)llm["gen_ai.usage.input_tokens"]!);
            Assert.Equal(OutputTokens(call), (long)llm["gen_ai.usage.output_tokens"]!);
        }
        // The ordering contract: an exchange's events leave as http, then sse (if streamed), then llm.
        foreach (var group in events.Where(e => e["data"]?["exchange_id"] is not null).GroupBy(e => (string)e["data"]!["exchange_id"]!))
        {
            var sources = group.Select(e => (string?)e["source"]).ToList();
            Assert.True(sources.SequenceEqual(["http", "sse", "llm"]) || sources.SequenceEqual(["http", "llm"]), $"{group.Key}: {string.Join(",", sources)}");
        }
        Assert.DoesNotContain(events, e => (string?)e["source"] == "ssl" && (string?)e["data"]!["function"] != "HANDSHAKE");
        Assert.Contains("calls=30", stderr, StringComparison.Ordinal);
    }
}
