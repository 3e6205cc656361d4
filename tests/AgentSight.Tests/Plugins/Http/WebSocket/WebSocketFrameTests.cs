using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Http.WebSocket;

/// <summary>WebSocket frames after a <c>101</c>: masking, lengths, fragmentation, control frames, compression, any split of reads.</summary>
public sealed class WebSocketFrameTests
{
    private static List<JsonObject> Messages(HttpRun run) =>
        [.. run.Output.Events.Where(e => e.Source == "websocket").Select(PayloadJson.Of)];

    /// <summary>The upgrade, then the client's frames as one write and the server's as one read.</summary>
    private static HttpRun Run(byte[] clientFrames, byte[] serverFrames, string extensions = "", HttpAnalyzerConfig? config = null)
    {
        var wire = new Wire().Write(WsFrames.Upgrade).Read(WsFrames.Switching(extensions));
        if (clientFrames.Length > 0)
        {
            wire.Add(TlsDirection.Write, clientFrames);
        }
        if (serverFrames.Length > 0)
        {
            wire.Add(TlsDirection.Read, serverFrames);
        }
        return HttpRun.Of(wire.Events, config);
    }

    [Fact]
    public void A_masked_client_text_and_a_server_text_are_one_event_each_after_the_upgrade_exchange()
    {
        var run = Run(WsFrames.Text("""{"type":"response.create"}""", masked: true), WsFrames.Text("""{"type":"response.done"}"""));

        var upgrade = Assert.Single(run.Exchanges);
        Assert.Equal("upgrade", (string?)upgrade["end_reason"]);
        var messages = Messages(run);
        Assert.Equal(2, messages.Count);
        Assert.Equal("client", (string?)messages[0]["direction"]);
        Assert.Equal("text", (string?)messages[0]["opcode"]);
        Assert.Equal("""{"type":"response.create"}""", (string?)messages[0]["text"]);
        Assert.Equal("server", (string?)messages[1]["direction"]);
        Assert.Equal("""{"type":"response.done"}""", (string?)messages[1]["text"]);
        Assert.Equal((string?)upgrade["exchange_id"], (string?)messages[0]["exchange_id"]);
        Assert.Equal("0x1000", (string?)messages[0]["conn_id"]);
        Assert.Equal("client", (string?)messages[0]["role"]);
        Assert.False((bool)messages[0]["compressed"]!);
        Assert.Empty(run.Raw);
        Assert.Equal(1, run.Counter("websocket_connections"));
        Assert.Equal(2, run.Counter("websocket_messages"));
    }

    [Fact]
    public void Frames_in_the_read_that_carried_the_101_are_read()
    {
        var events = new Wire().Write(WsFrames.Upgrade)
            .Add(TlsDirection.Read, [.. Encoding.ASCII.GetBytes(WsFrames.Switching()), .. WsFrames.Text("hello")]).Events;

        var message = Assert.Single(Messages(HttpRun.Of(events)));

        Assert.Equal("hello", (string?)message["text"]);
    }

    [Theory]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(200_000)]
    public void Lengths_of_7_16_and_64_bits_are_read_masked_or_not(int length)
    {
        var text = new string('x', length - 1) + "!";

        var messages = Messages(Run(WsFrames.Text(text, masked: true), WsFrames.Text(text)));

        Assert.All(messages, m => Assert.Equal(text, (string?)m["text"]));
        Assert.All(messages, m => Assert.Equal(length, (long)m["size"]!));
    }

    [Fact]
    public void A_fragmented_message_with_control_frames_between_its_fragments_is_one_message_after_them()
    {
        byte[] client = [.. WsFrames.Text("Hel", fin: false, masked: true), .. WsFrames.Frame(9, "are you there"u8, masked: true),
            .. WsFrames.More("lo, ", fin: false, masked: true), .. WsFrames.More("world", masked: true)];
        byte[] server = [.. WsFrames.Frame(10, "are you there"u8), .. WsFrames.Frame(8, [0x03, 0xE8, .. "bye"u8])];

        var messages = Messages(Run(client, server));

        Assert.Equal(["ping", "text", "pong", "close"], messages.Select(m => (string?)m["opcode"]));
        Assert.Equal("are you there", (string?)messages[0]["text"]);
        Assert.Equal("Hello, world", (string?)messages[1]["text"]);
        Assert.Equal(3, (int)messages[1]["frames"]!);
        Assert.Equal(1000, (int)messages[3]["close_code"]!);
        Assert.Equal("bye", (string?)messages[3]["text"]);
    }

    [Fact]
    public void A_binary_message_is_counted_not_shown()
    {
        var message = Assert.Single(Messages(Run(WsFrames.Frame(2, [0, 1, 2, 255], masked: true), [])));

        Assert.Equal("binary", (string?)message["opcode"]);
        Assert.Null((string?)message["text"]);
        Assert.Equal(4, (long)message["size"]!);
    }

    [Fact]
    public void Cut_at_every_byte_boundary_across_two_reads_the_messages_are_the_same()
    {
        byte[] frames = [.. WsFrames.Text("first", fin: false, masked: true), .. WsFrames.Frame(9, "p"u8, masked: true),
            .. WsFrames.More(new string('é', 100), masked: true), .. WsFrames.Text(new string('z', 300), masked: true)];
        for (var cut = 0; cut <= frames.Length; cut++)
        {
            var wire = new Wire().Write(WsFrames.Upgrade).Read(WsFrames.Switching())
                .Add(TlsDirection.Write, frames[..cut]).Add(TlsDirection.Write, frames[cut..]);

            var messages = Messages(HttpRun.Of(wire.Events));

            Assert.Equal(["ping", "text", "text"], messages.Select(m => (string?)m["opcode"]));
            Assert.Equal("first" + new string('é', 100), (string?)messages[1]["text"]);
            Assert.Equal(new string('z', 300), (string?)messages[2]["text"]);
        }
    }

    [Fact]
    public void Compressed_messages_are_inflated_when_the_101_agreed_to_permessage_deflate()
    {
        const string text = """{"type":"response.output_text.delta","delta":"Hello Hello Hello Hello"}""";
        var compressed = WsFrames.Deflate(text);
        byte[] frames = [.. WsFrames.Frame(1, compressed, rsv1: true), .. WsFrames.Frame(1, WsFrames.Deflate("second"), rsv1: true)];

        var run = Run([], frames, "permessage-deflate; server_no_context_takeover; client_no_context_takeover");

        var messages = Messages(run);
        Assert.Equal(text, (string?)messages[0]["text"]);
        Assert.True((bool)messages[0]["compressed"]!);
        Assert.Equal(compressed.Length, (long)messages[0]["compressed_size"]!);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), (long)messages[0]["size"]!);
        Assert.Equal("second", (string?)messages[1]["text"]);
        Assert.Equal(0, run.Counter("websocket_inflate_failures"));
    }

    [Fact]
    public void A_compressed_message_past_max_decoded_bytes_is_not_shown_and_counted()
    {
        var text = new string('a', 3 * 1024 * 1024);
        var config = new HttpAnalyzerConfig { MaxDecodedBytes = 1024 * 1024 };

        var run = Run([], WsFrames.Frame(1, WsFrames.Deflate(text), rsv1: true), "permessage-deflate", config);

        var message = Assert.Single(Messages(run));
        Assert.Null((string?)message["text"]);
        Assert.Null((long?)message["size"]);
        Assert.Equal(1, run.Counter("websocket_inflate_failures"));
    }

    [Fact]
    public void A_message_over_max_body_bytes_is_cut_and_its_size_still_counted()
    {
        var config = new HttpAnalyzerConfig { MaxBodyBytes = 10 };

        var run = Run(WsFrames.Text("0123456789abcdef", masked: true), [], config: config);

        var message = Assert.Single(Messages(run));
        Assert.Equal("0123456789", (string?)message["text"]);
        Assert.Equal(16, (long)message["size"]!);
        Assert.True((bool)message["truncated"]!);
        Assert.Equal(1, run.Counter("websocket_messages_truncated"));
    }

    [Fact]
    public void RSV1_without_permessage_deflate_is_a_protocol_error_and_stops_the_direction()
    {
        var run = Run(WsFrames.Frame(1, "x"u8, rsv1: true, masked: true), WsFrames.Text("still read"));

        var message = Assert.Single(Messages(run));
        Assert.Equal("still read", (string?)message["text"]);
        Assert.Equal(1, run.Counter("websocket_protocol_errors"));
    }

    [Fact]
    public void After_a_protocol_error_the_direction_s_later_writes_stay_ssl_events()
    {
        var events = new Wire().Write(WsFrames.Upgrade).Read(WsFrames.Switching())
            .Add(TlsDirection.Write, WsFrames.Frame(3, "x"u8, masked: true)).Add(TlsDirection.Write, WsFrames.Text("later", masked: true)).Events;

        var run = HttpRun.Of(events);

        Assert.Empty(Messages(run));
        Assert.Single(run.Raw);
        Assert.Equal(1, run.Counter("websocket_protocol_errors"));
    }

    [Fact]
    public void Bytes_lost_inside_a_payload_cut_that_message_and_the_next_is_read()
    {
        var first = WsFrames.Text(new string('a', 200));
        var events = new Wire().Write(WsFrames.Upgrade).Read(WsFrames.Switching())
            .Add(TlsDirection.Read, first[..50], bytesLost: first.Length - 50)
            .Add(TlsDirection.Read, WsFrames.Text("next")).Events;

        var messages = Messages(HttpRun.Of(events));

        Assert.Equal(2, messages.Count);
        Assert.True((bool)messages[0]["truncated"]!);
        Assert.Equal(200, (long)messages[0]["size"]!);
        Assert.Equal("next", (string?)messages[1]["text"]);
    }

    [Fact]
    public void Without_Upgrade_websocket_in_the_request_a_101_does_not_start_frames()
    {
        var events = new Wire().Write("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: other\r\nConnection: Upgrade\r\n\r\n")
            .Read(WsFrames.Switching()).Add(TlsDirection.Read, WsFrames.Text("hello")).Events;

        var run = HttpRun.Of(events);

        Assert.Empty(Messages(run));
        Assert.Single(run.Raw);
    }
}
