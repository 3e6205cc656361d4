using System.Text;
using System.Text.Json;
using AgentSight.Contracts;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>
/// WebSocket messages (the Responses API's WebSocket transport, Realtime) reach the sinks as bytes: a key in a message,
/// or streamed back as text deltas over many messages, is redacted, and the messages keep their order.
/// </summary>
public sealed class RedactWebSocketMessagesTests
{
    private static AgentEvent Message(long at, bool fromClient, string text) =>
        new(at, EventSources.WebSocket, 42, 42, "codex",
            new WebSocketMessagePayload("42:0x1:0", "0x1", fromClient, "text")
            {
                HasText = true,
                Text = Encoding.UTF8.GetBytes(text),
                Size = Encoding.UTF8.GetByteCount(text),
                Frames = 1,
                StartNs = at,
                EndNs = at,
            });

    private static string TextOf(AgentEvent evt) => Encoding.UTF8.GetString(Assert.IsType<WebSocketMessagePayload>(evt.Data).Text.Span);

    [Fact]
    public void A_key_in_one_message_is_redacted_in_its_bytes()
    {
        var output = RedactHarness.Run(Message(1, true, $"{{\"type\":\"response.create\",\"input\":\"my key is {Secrets.OpenAi}\"}}"));

        var text = TextOf(Assert.Single(output));
        Assert.DoesNotContain(Secrets.OpenAi[8..30], text, StringComparison.Ordinal);
        Assert.Contains("[REDACTED:", text, StringComparison.Ordinal);
        Assert.StartsWith("{\"type\":\"response.create\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_streamed_back_in_deltas_cannot_be_put_together_from_the_messages()
    {
        var pieces = Enumerable.Range(0, (Secrets.OpenAi.Length + 4) / 5).Select(i => Secrets.OpenAi.Substring(i * 5, Math.Min(5, Secrets.OpenAi.Length - i * 5))).ToList();
        var events = new List<AgentEvent> { Message(1, true, "{\"type\":\"response.create\",\"input\":\"hi\"}") };
        events.AddRange(pieces.Select((p, i) => Message(10 + i, false, $"{{\"type\":\"response.output_text.delta\",\"delta\":{JsonSerializer.Serialize(p)}}}")));
        events.Add(Message(1000, false, "{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\"}}"));

        var output = RedactHarness.Run([.. events]);

        Assert.Equal(events.Select(e => e.Timestamp), output.Select(e => e.Timestamp));
        var joined = string.Concat(output.Skip(1).SkipLast(1).Select(e => JsonDocument.Parse(TextOf(e)).RootElement.GetProperty("delta").GetString()));
        Assert.DoesNotContain(Secrets.OpenAi[8..30], joined, StringComparison.Ordinal);
        Assert.Contains("[REDACTED", joined, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_messages_and_messages_without_text_pass_unchanged_in_order()
    {
        var binary = new AgentEvent(5, EventSources.WebSocket, 42, 42, "codex", new WebSocketMessagePayload("42:0x1:0", "0x1", true, "binary") { Size = 3 });
        var output = RedactHarness.Run(Message(1, true, "{\"type\":\"a\"}"), binary, Message(9, false, "{\"type\":\"b\"}"));

        Assert.Equal([1L, 5, 9], output.Select(e => e.Timestamp));
        Assert.Same(binary, output[1]);
    }
}
