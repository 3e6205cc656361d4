using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Tests.Analyzers.Http2.Wire;
using AgentSight.Tests.Analyzers.Support;
using CsCheck;

namespace AgentSight.Tests.Analyzers.Http2;

/// <summary>
/// Random HTTP/2 conversations (interleaved streams, any HPACK representation, table size changes, padding,
/// CONTINUATION, interim responses, trailers, control and unknown frames) cut into reads and writes anywhere: every
/// call is its exchange, field for field. Seen from any point in the middle, or with bytes lost: never a wrong
/// header, and what was missed is said.
/// </summary>
public sealed class Http2PropertyTests
{
    [Fact]
    public void Interleaved_streams_cut_at_any_points_give_each_call_its_exchange()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var conversation = Conversation(random);
            var run = HttpRun.Of(conversation.Events(maxCuts: 6));

            H2Run.AssertExchanges(run, conversation.Calls);
            Assert.Empty(run.Raw);
            Assert.Equal(1, run.Counter("http2_connections"));
            Assert.Equal(0, run.Counter("http2_joined"));
            Assert.Equal(0, run.Counter("headers_missed"));
            Assert.Equal(0, run.Counter("hpack_errors"));
            Assert.Equal(0, run.Counter("protocol_errors"));
        }, iter: 300);
    }

    [Fact]
    public void Frames_split_at_every_byte_give_the_same_exchanges()
    {
        var random = new Random(7);
        var conversation = Conversation(random);
        var wire = new Support.Wire();
        foreach (var evt in conversation.Events())
        {
            var tls = (TlsPayload)evt.Data;
            foreach (var b in tls.Bytes.ToArray())
            {
                wire.Add(tls.Direction, [b], 0x2000);
            }
        }

        var run = HttpRun.Of(wire.Events);

        H2Run.AssertExchanges(run, conversation.Calls);
        Assert.Empty(run.Raw);
    }

    [Fact]
    public void A_connection_seen_from_any_point_in_its_middle_never_gives_a_wrong_header()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var conversation = Conversation(random);
            var events = conversation.Events(maxCuts: 3);
            // The capture begins at a random read or write: possibly inside a frame, a header block, a body.
            var seen = events.Skip(random.Next(1, events.Count)).ToList();

            var run = HttpRun.Of(seen);

            AssertNothingWrong(run, conversation.Calls);
            if (run.Exchanges.Count > 0)
            {
                Assert.Equal(1, run.Counter("http2_joined"));
            }
        }, iter: 500);
    }

    [Fact]
    public void Bytes_lost_by_the_capture_anywhere_never_give_a_wrong_header()
    {
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var conversation = Conversation(random);
            var events = conversation.Events(maxCuts: 3);
            var at = random.Next(events.Count);
            var tls = (TlsPayload)events[at].Data;
            var kept = random.Next(0, tls.Bytes.Length);
            events[at] = new AgentEvent(events[at].Timestamp, "ssl", events[at].Pid, events[at].Tid, events[at].Comm,
                new TlsPayload(tls.Direction, tls.Bytes[..kept], tls.Bytes.Length) { ConnectionId = tls.ConnectionId, BytesLost = tls.Bytes.Length - kept });

            var run = HttpRun.Of(events);

            AssertNothingWrong(run, conversation.Calls);
            Assert.Equal(1, run.Counter("capture_gaps"));
        }, iter: 500);
    }

    /// <summary>A random conversation: the preface, then one to three batches of concurrent calls.</summary>
    internal static H2Conversation Conversation(Random random)
    {
        var conversation = new H2Conversation(random).Start();
        for (var batch = random.Next(1, 4); batch > 0; batch--)
        {
            if (random.Next(4) == 0)
            {
                conversation.TableSize(client: random.Next(2) == 0, random.Next(3) == 0 ? 0 : random.Next(64, 8192));
            }
            conversation.Exchange([.. Enumerable.Range(0, random.Next(1, 5)).Select(_ => H2Conversation.RandomCall(random, gzip: random.Next(2) == 0))]);
        }
        return conversation;
    }

    /// <summary>
    /// Every exchange emitted belongs to a call and says nothing false about it: a method, path, host, status or
    /// header that is there is the one sent; a body not marked cut is the one sent.
    /// </summary>
    internal static void AssertNothingWrong(HttpRun run, IReadOnlyList<H2Call> calls)
    {
        var byStream = calls.ToDictionary(c => c.StreamId);
        foreach (var exchange in run.Exchanges)
        {
            var because = exchange.ToJsonString();
            var call = byStream[(int)exchange["stream_id"]!];
            if (exchange["request"] is JsonObject request)
            {
                Same(call.Method, request["method"], because);
                Same(call.Path, request["path"], because);
                Same(call.Authority, request["host"], because);
                Assert.Equal("HTTP/2", (string?)request["version"]);
                Subset(call.RequestHeaders, (JsonObject)request["headers"]!, because);
                if (request["headers_missed"] is null)
                {
                    Assert.Empty((JsonObject)request["headers"]!);
                }
                if (!(bool)request["body_truncated"]! && request["headers_missed"] is not null && (bool)exchange["complete"]!)
                {
                    Assert.Equal(Encoding.UTF8.GetString(call.RequestBody), (string?)request["body"] ?? "");
                }
            }
            if (exchange["response"] is JsonObject response)
            {
                if (response["status"] is JsonValue status)
                {
                    Assert.Equal(call.Status, (int)status);
                }
                Subset(call.ResponseHeaders, (JsonObject)response["headers"]!, because);
                var headSeen = response["headers_missed"] is not null;
                if (!headSeen)
                {
                    // Not known as streamed nor as encoded: what was seen of the body is kept as sent.
                    Assert.Empty((JsonObject)response["headers"]!);
                    Assert.False((bool)exchange["complete"]!, because);
                    var kept = response["body"] is JsonValue text ? TlsPayload.DecodeData((string)text!) : [];
                    if (!(bool)response["body_truncated"]!)
                    {
                        Assert.Equal(call.WireResponseBody, kept);
                    }
                }
                if (!(bool)response["body_truncated"]! && (bool)exchange["complete"]! && headSeen && (int)response["headers_missed"]! == 0)
                {
                    if (call.Streamed)
                    {
                        Assert.Equal(call.ResponseBody, run.StreamedBody((string)exchange["exchange_id"]!));
                    }
                    else
                    {
                        Assert.Equal(Encoding.UTF8.GetString(call.ResponseBody), (string?)response["body"] ?? "");
                    }
                }
            }
        }
    }

    private static void Same(string expected, JsonNode? actual, string because)
    {
        if (actual is not null)
        {
            Assert.True(expected == (string?)actual, $"{expected} != {actual}: {because}");
        }
    }

    private static void Subset(List<(string Name, string Value)> sent, JsonObject headers, string because)
    {
        foreach (var (name, value) in headers)
        {
            Assert.True(sent.Contains((name, (string)value!)), $"{name}: {value} was not sent: {because}");
        }
    }
}
