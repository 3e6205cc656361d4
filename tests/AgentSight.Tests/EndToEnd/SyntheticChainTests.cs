using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Traffic;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.Support.ExpectedCall;

namespace AgentSight.Tests.Analyzers.EndToEnd;

/// <summary>The default chain on generated traffic must reconstruct exactly what the generator produced.</summary>
public sealed class SyntheticChainTests
{
    private static readonly Lazy<(SyntheticRecording Recording, AnalyzerChain Chain)> Mixed = new(() =>
    {
        var recording = SyntheticTraffic.Generate(new SyntheticOptions { Count = 120, Seed = 7, StartTime = Some.Epoch });
        return (recording, AnalyzerChain.Default().Run(recording.Events));
    });

    [Fact]
    public void Every_generated_call_gives_one_llm_event_with_its_text_model_and_tokens()
    {
        var (recording, chain) = Mixed.Value;
        var calls = chain.OfSource("llm");

        Assert.Equal(recording.Calls.Count, calls.Count);
        foreach (var provider in SyntheticProviders.Concrete)
        {
            Assert.Contains(recording.Calls, c => c.Provider == provider && c.Stream);
            Assert.Contains(recording.Calls, c => c.Provider == provider && !c.Stream);
        }
        Assert.Contains(recording.Calls, c => c.ToolCalls.Count > 0);
        foreach (var call in recording.Calls)
        {
            var llm = Single(calls, call);
            Assert.Equal(ProviderName(call), Str(llm, "gen_ai.provider.name"));
            Assert.Equal(call.Model, Str(llm, "gen_ai.request.model"));
            Assert.Equal(call.ResponseModel, Str(llm, "gen_ai.response.model"));
            Assert.Equal(call.ResponseId, Str(llm, "gen_ai.response.id"));
            Assert.Equal(call.AnswerText, OutputText(llm));
            Assert.Equal(InputTokens(call), Long(llm, "gen_ai.usage.input_tokens"));
            Assert.Equal(OutputTokens(call), Long(llm, "gen_ai.usage.output_tokens"));
            Assert.Equal(call.Stream, llm["streaming"]!.GetValue<bool>());
            Assert.True(llm["complete"]!.GetValue<bool>(), $"{call} complete");
            Assert.Equal([call.FinishReason], llm["gen_ai.response.finish_reasons"]!.AsArray().Select(r => (string?)r));
            Assert.Equal(call.ToolCalls.Select(t => (t.Name, Normalize(t.ArgumentsJson))), ToolCalls(llm).Select(t => (t.Name, Normalize(t.Arguments))));
        }
    }

    [Fact]
    public void No_raw_ssl_data_event_is_left_and_no_body_piece_escapes()
    {
        var (_, chain) = Mixed.Value;

        Assert.DoesNotContain(chain.Output, e => e.Data is TlsPayload { Direction: not TlsDirection.Handshake });
        Assert.Empty(chain.OfSource("http_body"));
    }

    private static JsonObject Single(List<AgentEvent> calls, SyntheticCall call)
    {
        var matching = calls.Where(e => e.Pid == call.Pid && (string?)e.Fields!["gen_ai.response.id"] == call.ResponseId).ToList();
        Assert.True(matching.Count == 1, $"{call}: {matching.Count} llm events");
        return matching[0].Fields!;
    }

    private static string Normalize(string json) => JsonNode.Parse(json)!.ToJsonString();
}
