using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Redact;
using AgentSight.Tests.Support;
using CsCheck;
using static AgentSight.Tests.Analyzers.Redact.RedactHarness;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>Secrets cut by read boundaries: held reads are scanned with the next one, and no half leaks.</summary>
public sealed class RedactSplitTests
{
    /// <summary>A request with a secret of each kind: header, bearer, cookie, URL parameter, JSON field, text.</summary>
    private static readonly string Request =
        $"POST /v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key={Secrets.Google} HTTP/1.1\r\n" +
        $"host: generativelanguage.googleapis.com\r\nx-api-key: {Secrets.Anthropic}\r\nauthorization: Bearer {Secrets.OpenAi}\r\n" +
        $"cookie: session={Secrets.Cookie}\r\ncontent-type: application/json\r\n\r\n" +
        $"{{\"model\":\"gemini-2.5-pro\",\"api_key\":\"{Secrets.Stripe}\",\"contents\":[{{\"text\":\"use {Secrets.GitHub} or {Secrets.Jwt}\"}}]}}";

    private static readonly string[] Planted = [Secrets.Google, Secrets.Anthropic, Secrets.OpenAi, Secrets.Cookie, Secrets.Stripe, Secrets.GitHub, Secrets.Jwt];

    private static void AssertNothingLeaks(string output)
    {
        foreach (var secret in Planted)
        {
            AssertNoPartOf(secret, output, Secrets.PrefixOf(secret));
        }
    }

    private static List<AgentEvent> Pieces(string text, IEnumerable<int> cuts)
    {
        var events = new List<AgentEvent>();
        var start = 0;
        var time = Some.Epoch;
        foreach (var cut in cuts.Append(text.Length))
        {
            events.Add(Raw(text[start..cut], timestamp: time += 1_000_000));
            start = cut;
        }
        return events;
    }

    [Fact]
    public void A_request_cut_in_two_at_every_position_leaks_nothing_and_reads_as_if_it_were_whole()
    {
        var whole = Normalize(Text(Assert.Single(Run(Raw(Request)))));

        for (var cut = 1; cut < Request.Length; cut++)
        {
            var output = Run(Pieces(Request, [cut]).ToArray());

            Assert.Equal(2, output.Count);
            AssertNothingLeaks(Ndjson(output));
            Assert.Equal(whole, Normalize(Text(output[0]) + Text(output[1])));
        }
    }

    [Fact]
    public void Without_holding_a_request_cut_in_two_at_every_position_still_leaks_nothing()
    {
        for (var cut = 1; cut < Request.Length; cut++)
        {
            var output = Run(new RedactConfig { HoldMs = 0 }, Pieces(Request, [cut]).ToArray());

            Assert.Equal(2, output.Count);
            AssertNothingLeaks(Ndjson(output));
        }
    }

    [Fact]
    public void A_request_cut_into_many_small_reads_leaks_nothing()
    {
        var gen = Gen.Int[1, Request.Length - 1].Array[1, 40];
        gen.Sample(cuts =>
        {
            var output = Run(Pieces(Request, cuts.Distinct().Order()).ToArray());

            AssertNothingLeaks(Ndjson(output));
        }, iter: 300);
    }

    [Fact]
    public void Reads_of_one_byte_leak_nothing()
    {
        var output = Run(Pieces(Request, Enumerable.Range(1, Request.Length - 1)).ToArray());

        Assert.Equal(Request.Length, output.Count);
        AssertNothingLeaks(Ndjson(output));
    }

    [Fact]
    public void A_private_key_longer_than_several_reads_is_replaced_in_every_read()
    {
        var body = string.Concat(Enumerable.Range(0, 40).Select(i => Convert.ToBase64String(Encoding.ASCII.GetBytes($"key material line {i:D3} xyzzy!")) + "\n"));
        var pem = $"config loaded\n-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\nnext line";

        var output = Run(Pieces(pem, [20, 500, 1000, 1500]).ToArray());

        var text = string.Concat(output.Select(Text));
        Assert.DoesNotContain("a2V5IG1hdGVyaWFs", text, StringComparison.Ordinal);
        Assert.Equal("config loaded\n[R]\nnext line", Normalize(text));
    }

    [Fact]
    public void A_long_cookie_header_spread_over_many_reads_is_replaced_in_every_read()
    {
        var cookie = string.Concat(Enumerable.Range(0, 300).Select(i => $"c{i}={Secrets.Cookie[..12]}{i:D4}; "));
        var request = $"GET / HTTP/1.1\r\ncookie: {cookie}\r\nhost: example.com\r\n\r\n";

        var output = Run(Pieces(request, Enumerable.Range(1, 20).Select(i => i * 300)).ToArray());

        var text = string.Concat(output.Select(Text));
        Assert.DoesNotContain(Secrets.Cookie[..12], text, StringComparison.Ordinal);
        Assert.Equal("GET / HTTP/1.1\r\ncookie: [R]\r\nhost: example.com\r\n\r\n", Normalize(text));
    }

    [Fact]
    public void Reads_of_other_connections_and_directions_in_between_do_not_hide_a_cut()
    {
        var line = $"x-api-key: {Secrets.Anthropic}\r\n";
        var cut = line.Length / 2;
        var events = new[]
        {
            Raw(line[..cut]),
            Raw("HTTP/1.1 200 OK\r\n", TlsDirection.Read),
            Raw("sk-ant-other-connection", connection: 0x9999),
            Raw(line[cut..]),
        };

        var output = Run(events);

        Assert.Equal(4, output.Count);
        AssertNoPartOf(Secrets.Anthropic, Ndjson(output), Secrets.PrefixOf(Secrets.Anthropic));
    }

    [Fact]
    public void A_held_read_waits_for_the_next_read_or_the_timer_and_shutdown_releases_the_rest()
    {
        var context = new TestStageContext();
        var redactor = (Redactor)new RedactFactory().Create(new RedactConfig { HoldMs = 200 }, context);
        var output = new CapturingOutput();

        redactor.Process(Raw("first"), output);
        Assert.Empty(output.Events);
        redactor.Process(Raw("second"), output);
        Assert.Equal(["first"], output.Events.Select(Text));

        context.Now = Some.Epoch + 150_000_000;
        redactor.OnTimer(context.Now, output);
        Assert.Single(output.Events);
        context.Now = Some.Epoch + 250_000_000;
        redactor.OnTimer(context.Now, output);
        Assert.Equal(["first", "second"], output.Events.Select(Text));

        redactor.Process(Raw("third", TlsDirection.Read), output);
        redactor.Flush(output);
        Assert.Equal(["first", "second", "third"], output.Events.Select(Text));
    }

    [Fact]
    public void The_timer_runs_only_while_something_waits_for_it()
    {
        var context = new TestStageContext();
        var redactor = (Redactor)new RedactFactory().Create(new RedactConfig { HoldMs = 200 }, context);
        var output = new CapturingOutput();
        Assert.Equal(TimeSpan.Zero, redactor.TimerInterval);

        redactor.Process(Raw("first"), output);
        Assert.Equal(TimeSpan.FromMilliseconds(100), redactor.TimerInterval);

        // Released by the timer: the stream is still known (a secret cut at its end goes on in its next piece), and is looked
        // at now and then to be forgotten once idle.
        context.Now = Some.Epoch + 250_000_000;
        redactor.OnTimer(context.Now, output);
        Assert.Equal(["first"], output.Events.Select(Text));
        Assert.Equal(TimeSpan.FromSeconds(10), redactor.TimerInterval);

        // Ten minutes later it is forgotten: nothing left to wake up for.
        context.Now = Some.Epoch + 601_000_000_000;
        redactor.OnTimer(context.Now, output);
        Assert.Equal(0, redactor.Streams.StreamCount);
        Assert.Equal(TimeSpan.Zero, redactor.TimerInterval);

        // An event of another kind is never held.
        redactor.Process(new AgentEvent(context.Now, "process", 1, 1, "sh", new JsonPayload(new() { ["event"] = "EXEC" })), output);
        Assert.Equal(TimeSpan.Zero, redactor.TimerInterval);
    }

    [Fact]
    public void Without_holding_there_is_no_timer()
    {
        var redactor = (Redactor)new RedactFactory().Create(new RedactConfig { HoldMs = 0 }, new TestStageContext());
        var output = new CapturingOutput();
        redactor.Process(Raw("first"), output);
        Assert.Equal(["first"], output.Events.Select(Text));
        Assert.Equal(TimeSpan.Zero, redactor.TimerInterval);
    }

    [Fact]
    public void A_secret_cut_in_a_streamed_body_is_replaced_and_the_exchange_keeps_its_order()
    {
        var text = $"{{\"type\":\"text_delta\",\"text\":\"your key is {Secrets.OpenAi} keep it safe\"}}\n";
        var cut = text.IndexOf("T3Blbk", StringComparison.Ordinal);
        AgentEvent Body(string piece, int offset) => Some.JsonEvent("http_body", new JsonObject
        {
            ["exchange_id"] = "1:0x1:1",
            ["offset"] = offset,
            ["data"] = piece,
            ["path"] = "/v1/chat/completions",
        });
        var events = new[] { Body(text[..cut], 0), Body(text[cut..], cut), Some.JsonEvent("http", new JsonObject { ["exchange_id"] = "1:0x1:1" }) };

        var output = Run(events);

        Assert.Equal(events, output);
        AssertNoPartOf(Secrets.OpenAi, Ndjson(output), Secrets.PrefixOf(Secrets.OpenAi));
        Assert.Equal("{\"type\":\"text_delta\",\"text\":\"your key is [R] keep it safe\"}\n",
            Normalize(output[0].Fields!["data"]!.GetValue<string>() + output[1].Fields!["data"]!.GetValue<string>()));
    }

    [Fact]
    public void The_stream_read_least_recently_is_released_first()
    {
        var a1 = Raw("a1", connection: 0xA);
        var b = Raw("b", connection: 0xB);
        var c = Raw("c", connection: 0xC);
        var a2 = Raw("a2", connection: 0xA);
        var d = Raw("d", connection: 0xD);
        var redactor = new RedactFactory().Create(new RedactConfig { MaxStreams = 3 }, new TestStageContext());
        var output = new CapturingOutput();

        foreach (var evt in new[] { a1, b, c, a2, d })
        {
            redactor.Process(evt, output);
        }

        Assert.Equal([a1, b], output.Events);
    }

    [Fact]
    public void Events_without_bytes_are_not_held()
    {
        var context = new TestStageContext();
        var redactor = new RedactFactory().Create(new RedactConfig(), context);
        var output = new CapturingOutput();
        var handshake = new AgentEvent(Some.Epoch, EventSources.Ssl, 1, 1, "x", new TlsPayload(TlsDirection.Handshake, ReadOnlyMemory<byte>.Empty, 1));
        var empty = Some.SslEvent([]);

        redactor.Process(handshake, output);
        redactor.Process(empty, output);

        Assert.Equal([handshake, empty], output.Events);
    }

    [Fact]
    public void Many_connections_are_bounded_and_the_oldest_is_released_first()
    {
        var context = new TestStageContext();
        var events = Enumerable.Range(0, 10).Select(i => Raw($"read {i}", connection: (ulong)(0x1000 + i), timestamp: Some.Epoch + i)).ToArray();
        var redactor = (Redactor)new RedactFactory().Create(new RedactConfig { MaxStreams = 3 }, context);
        var output = new CapturingOutput();

        foreach (var evt in events)
        {
            context.Now = evt.Timestamp;
            redactor.Process(evt, output);
        }

        Assert.Equal(events[..7], output.Events);
        Assert.Equal(3, redactor.Streams.StreamCount);
        Assert.Equal(7, context.CounterValue("streams_evicted"));
    }
}
