using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Tests.Contracts;

/// <summary>What a sink gets: a view through which the event cannot change, and an event that refuses changes once shared.</summary>
public sealed class ReadOnlyEventTests
{
    private const string LlmLine =
        """{"timestamp":7,"source":"llm","pid":42,"tid":43,"comm":"node","data":{"gen_ai.request.model":"gpt-5","tokens":1234,"streaming":true,"stop":null,"usage":{"input":10},"finish_reasons":["stop","length"]}}""";

    private static AgentEvent Parse(string line)
    {
        Assert.True(AgentEventJson.TryParse(Encoding.UTF8.GetBytes(line), out var evt, out var error), error);
        return evt;
    }

    [Fact]
    public void A_shared_event_refuses_every_change_through_the_analyzer_api_and_stays_as_it_was()
    {
        var evt = Parse(LlmLine);
        evt.MarkShared();

        Assert.True(evt.IsShared);
        Assert.Throws<InvalidOperationException>(() => evt.Timestamp = 8);
        Assert.Throws<InvalidOperationException>(() => evt.Source = "http");
        Assert.Throws<InvalidOperationException>(() => evt.Pid = 1);
        Assert.Throws<InvalidOperationException>(() => evt.Tid = 1);
        Assert.Throws<InvalidOperationException>(() => evt.Comm = "curl");
        Assert.Throws<InvalidOperationException>(() => evt.Data = new JsonPayload([]));
        // The fields' node model can change anything, so once shared it is not handed out at all.
        var error = Assert.Throws<InvalidOperationException>(() => evt.Fields);
        Assert.Contains("shared", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => ((JsonPayload)evt.Data).Fields);
        Assert.Equal(LlmLine, AgentEventJson.ToJson(evt));
    }

    [Fact]
    public void The_typed_payloads_of_a_shared_event_refuse_changes_too()
    {
        var tls = new TlsPayload(TlsDirection.Read, "hello"u8.ToArray(), 5);
        var body = new HttpBodyPayload("1:0x1:1", "0x1", 0, "data: {}"u8.ToArray());
        var stdio = new StdioPayload(IoDirection.Write, 1, "out"u8.ToArray(), 3);
        var message = new WebSocketMessagePayload("1:0x1:2", "0x1", fromClient: true, "text") { HasText = true, Text = "hi"u8.ToArray() };
        foreach (var payload in new EventPayload[] { tls, body, stdio, message })
        {
            new AgentEvent(1, "test", 1, 1, "t", payload).MarkShared();
            Assert.True(payload.IsShared);
        }

        Assert.Throws<InvalidOperationException>(() => tls.Bytes = "redacted"u8.ToArray());
        Assert.Throws<InvalidOperationException>(() => tls.ConnectionId = 9);
        Assert.Throws<InvalidOperationException>(() => tls.BytesLost = 9);
        Assert.Throws<InvalidOperationException>(() => body.Bytes = ReadOnlyMemory<byte>.Empty);
        Assert.Throws<InvalidOperationException>(() => stdio.Bytes = ReadOnlyMemory<byte>.Empty);
        Assert.Throws<InvalidOperationException>(() => message.Text = ReadOnlyMemory<byte>.Empty);
        Assert.Equal("hello", Encoding.UTF8.GetString(tls.Bytes.Span));
    }

    [Fact]
    public void An_analyzer_changes_an_event_it_owns_as_before()
    {
        var evt = Parse(LlmLine);

        evt.Fields!["gen_ai.request.model"] = "[REDACTED]";
        evt.Timestamp = 8;
        var tls = new TlsPayload(TlsDirection.Write, "secret"u8.ToArray(), 6);
        tls.Bytes = "[REDACTED]"u8.ToArray();

        Assert.False(evt.IsShared);
        Assert.Equal("[REDACTED]", evt.AsReadOnly().Fields["gen_ai.request.model"].GetString());
        Assert.Equal(8, evt.AsReadOnly().Timestamp);
        Assert.Equal("[REDACTED]", Encoding.UTF8.GetString(new ReadOnlyTlsPayload(tls).Bytes.Span));
    }

    [Fact]
    public void The_view_reads_fields_like_a_json_element_and_never_throws_on_a_missing_or_mistyped_one()
    {
        var evt = Parse(LlmLine);
        evt.MarkShared();
        var view = evt.AsReadOnly();
        var fields = view.Fields;

        Assert.Equal((7L, "llm", 42, 43, "node"), (view.Timestamp, view.Source, view.Pid, view.Tid, view.Comm));
        Assert.True(view.HasFields);
        Assert.Null(view.Tls);
        Assert.Equal(JsonValueKind.Object, fields.ValueKind);
        Assert.Equal(6, fields.Count);
        Assert.Equal("gpt-5", fields["gen_ai.request.model"].GetString());
        Assert.True(fields["tokens"].TryGetValue(out long tokens));
        Assert.Equal(1234, tokens);
        Assert.Equal(JsonValueKind.True, fields["streaming"].ValueKind);
        Assert.Equal(10, fields["usage"]["input"].TryGetValue(out int input) ? input : -1);
        Assert.Equal(new string?[] { "stop", "length" }, fields["finish_reasons"].EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("length", fields["finish_reasons"][1].GetString());
        Assert.Equal(
            new[] { "gen_ai.request.model", "tokens", "streaming", "stop", "usage", "finish_reasons" },
            fields.EnumerateObject().Select(f => f.Key));

        // Present but null, and absent, are told apart; neither throws, whatever is asked of it.
        Assert.Equal(JsonValueKind.Null, fields["stop"].ValueKind);
        Assert.True(fields.ContainsKey("stop"));
        Assert.Equal(JsonValueKind.Undefined, fields["missing"].ValueKind);
        Assert.Equal(JsonValueKind.Undefined, fields["missing"]["deeper"][3].ValueKind);
        Assert.Null(fields["tokens"].GetString());
        Assert.False(fields["gen_ai.request.model"].TryGetValue(out long _));
        Assert.False(fields["usage"].TryGetValue(out JsonNode? _));
        Assert.Equal(0, fields["tokens"].Count);
        Assert.Empty(fields["tokens"].EnumerateObject());
        Assert.Equal(JsonValueKind.Undefined, new AgentEvent(1, "ssl", 1, 1, "c", new TlsPayload(TlsDirection.Read, "x"u8.ToArray(), 1)).AsReadOnly().Fields.ValueKind);
    }

    [Fact]
    public void The_view_writes_what_the_event_writes_and_hands_out_copies_only()
    {
        var evt = Parse(LlmLine);
        evt.MarkShared();
        var view = evt.AsReadOnly();

        Assert.Equal(LlmLine, AgentEventJson.ToJson(view));
        using var formatter = new EventLineFormatter();
        Assert.Equal(LlmLine + "\n", Encoding.UTF8.GetString(formatter.Format(view).Span));
        Assert.Equal("""{"input":10}""", view.Fields["usage"].ToJsonString());

        // A deep copy: the caller's to change, the shared event untouched.
        var usage = view.Fields["usage"].DeepClone()!;
        usage["input"] = 11;
        var copy = view.ToAgentEvent();
        Assert.False(copy.IsShared);
        copy.Fields!["tokens"] = 0;
        copy.Comm = "changed";
        Assert.Equal(LlmLine, AgentEventJson.ToJson(evt));
    }

    [Fact]
    public void Typed_payloads_are_read_through_views_over_the_same_bytes()
    {
        var bytes = "GET / HTTP/1.1\r\n"u8.ToArray();
        var tls = new TlsPayload(TlsDirection.Write, bytes, bytes.Length) { ConnectionId = 0xabc, Fd = 5 };
        var evt = new AgentEvent(1, EventSources.Ssl, 42, 42, "curl", tls);
        evt.MarkShared();

        var view = evt.AsReadOnly().Tls!.Value;

        Assert.Equal((TlsDirection.Write, "WRITE/SEND", 0xabcUL, 5), (view.Direction, view.Function, view.ConnectionId, view.Fd));
        // The same memory, not a copy of it.
        Assert.True(view.Bytes.Equals(tls.Bytes));
        Assert.Null(evt.AsReadOnly().HttpBody);
        Assert.False(evt.AsReadOnly().HasFields);

        var body = new HttpBodyPayload("1:0x1:1", "0x1", 16, "data: {}"u8.ToArray()) { Path = "/v1/chat" };
        var piece = new AgentEvent(1, EventSources.HttpBody, 1, 1, "node", body).AsReadOnly().HttpBody!.Value;
        Assert.Equal((16L, "/v1/chat"), (piece.Offset, piece.Path));
        Assert.True(piece.Bytes.Equals(body.Bytes));
    }

    [Fact]
    public void Reading_through_the_view_allocates_nothing()
    {
        var evt = Parse(LlmLine);
        evt.MarkShared(readers: 2);
        var tls = new AgentEvent(1, EventSources.Ssl, 1, 1, "c", new TlsPayload(TlsDirection.Read, "x"u8.ToArray(), 1));
        tls.MarkShared();
        long Read()
        {
            var view = evt.AsReadOnly();
            long sum = view.Timestamp + view.Pid + view.Source.Length;
            var fields = view.Fields;
            sum += (int)fields["tokens"].ValueKind + fields["finish_reasons"].Count + fields["usage"]["input"].Count;
            foreach (var (_, value) in fields.EnumerateObject())
            {
                sum += (int)value.ValueKind;
            }
            foreach (var item in fields["finish_reasons"].EnumerateArray())
            {
                sum += (int)item.ValueKind;
            }
            sum += tls.AsReadOnly().Tls!.Value.Bytes.Length;
            return sum;
        }
        Read();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = Read();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(total > 0);
        Assert.Equal(0, allocated);
    }
}
