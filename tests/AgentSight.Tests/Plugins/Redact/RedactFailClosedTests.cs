using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Redact;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.Redact.RedactHarness;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>When redaction fails, the event is lost, never shown as it came.</summary>
public sealed class RedactFailClosedTests
{
    /// <summary>A payload whose content cannot be read.</summary>
    private sealed class UnreadablePayload : EventPayload
    {
        public override void WriteTo(Utf8JsonWriter writer) => throw new InvalidOperationException("unreadable: " + Secrets.Anthropic);
    }

    [Fact]
    public void The_plugin_asks_the_host_to_drop_what_it_throws_on()
    {
        Assert.Equal(OnError.Drop, new RedactFactory().DefaultOnError);
    }

    [Fact]
    public async Task In_a_real_pipeline_an_event_it_cannot_redact_is_dropped_and_what_it_held_still_goes_out_redacted()
    {
        var sink = new CollectingSinkFactory();
        var harness = new PipelineHarness().Add(new RedactFactory(), "redact").Add(sink, "sink");
        var held = Raw($"x-api-key: {Secrets.Anthropic}\r\n");
        var unreadable = new AgentEvent(Some.Epoch, "future", 1, 1, "agent", new UnreadablePayload());
        var after = Some.JsonEvent("llm", new JsonObject { ["text"] = "token: " + Secrets.OpenAi });

        var metrics = await harness.RunAsync([held, unreadable, after]);

        var received = sink.Received.ToList();
        // The sink's copies of the two events that went on (the events themselves are shared and read-only).
        Assert.Equal(new[] { held, after }.Select(AgentEventJson.ToJson), received.Select(AgentEventJson.ToJson));
        var output = Ndjson(received);
        AssertNoPartOf(Secrets.Anthropic, output, Secrets.PrefixOf(Secrets.Anthropic));
        AssertNoPartOf(Secrets.OpenAi, output, Secrets.PrefixOf(Secrets.OpenAi));
        var stage = metrics.Stages.Single(s => s.Id == "redact");
        Assert.Equal(1, stage.Failed);
        Assert.Equal(1, stage.Restarts);
    }

    [Fact]
    public void A_payload_type_it_does_not_know_is_read_as_json_and_redacted_rather_than_passed_unread()
    {
        var evt = new AgentEvent(Some.Epoch, "future", 1, 1, "agent", new ForeignPayload());

        var output = Run(evt);

        var json = Assert.IsType<JsonPayload>(Assert.Single(output).Data);
        Assert.Equal("[REDACTED:json-field]", json.Fields["password"]!.GetValue<string>());
        Assert.Equal("visible", json.Fields["note"]!.GetValue<string>());
    }

    private sealed class ForeignPayload : EventPayload
    {
        public override void WriteTo(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            writer.WriteString("password", Secrets.Password);
            writer.WriteString("note", "visible");
            writer.WriteEndObject();
        }
    }
}
