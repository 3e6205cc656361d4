using System.Text;
using AgentSight.Contracts;
using TlsWire = AgentSight.Tests.Analyzers.Support.Wire;

namespace AgentSight.Tests.Analyzers.Http2.Wire;

/// <summary>One request and its response as a test sends them over HTTP/2, and what the analyzer must make of them.</summary>
internal sealed record H2Call(
    string Method,
    string Path,
    string Authority,
    List<(string Name, string Value)> RequestHeaders,
    byte[] RequestBody,
    int Status,
    List<(string Name, string Value)> ResponseHeaders,
    byte[] ResponseBody,
    byte[]? EncodedResponseBody = null)
{
    public int StreamId { get; set; }

    /// <summary>The response body as sent on the wire (content-encoded when <see cref="EncodedResponseBody"/> is set).</summary>
    public byte[] WireResponseBody => EncodedResponseBody ?? ResponseBody;

    public bool Streamed => ResponseHeaders.Any(h => h.Name == "content-type" && h.Value.StartsWith("text/event-stream", StringComparison.Ordinal));
}

/// <summary>
/// A client and a server talking HTTP/2 over one connection, built frame by frame: the preface and settings, then
/// calls on interleaved streams with the frames a real peer may send between them (PING, WINDOW_UPDATE, PRIORITY,
/// SETTINGS, unknown types, padding, CONTINUATION, interim responses, trailers). With a <see cref="Random"/> every
/// choice is random; the frames in wire order are then cut into reads and writes anywhere.
/// </summary>
internal sealed class H2Conversation
{
    private readonly Random _random;
    private readonly HpackEncoder _client;
    private readonly HpackEncoder _server;
    private int _nextStream = 1;

    public H2Conversation(Random random, bool randomHpack = true)
    {
        _random = random;
        _client = new HpackEncoder(randomHpack ? new Random(random.Next()) : null);
        _server = new HpackEncoder(randomHpack ? new Random(random.Next()) : null);
    }

    /// <summary>Frames in wire order: true for the client's (the traced process writes them).</summary>
    public List<(bool FromClient, byte[] Bytes)> Frames { get; } = [];

    public List<H2Call> Calls { get; } = [];

    /// <summary>The client's preface and both sides' SETTINGS, as a connection starts.</summary>
    public H2Conversation Start()
    {
        Frames.Add((true, [.. H2Frames.Preface, .. H2Frames.Settings((2, 0), (4, 4194304))]));
        Frames.Add((false, H2Frames.Settings((3, 100), (4, 65535))));
        Frames.Add((true, H2Frames.SettingsAck()));
        Frames.Add((false, H2Frames.SettingsAck()));
        return this;
    }

    /// <summary>Sends calls on concurrent streams, their frames interleaved at random.</summary>
    public H2Conversation Exchange(params H2Call[] calls)
    {
        // Each call's frames are made as they go on the wire: header blocks must be encoded in the order they are sent.
        var pending = new List<IEnumerator<(bool FromClient, byte[] Bytes)>>();
        foreach (var call in calls)
        {
            call.StreamId = _nextStream;
            _nextStream += 2;
            Calls.Add(call);
            pending.Add(FramesOf(call).GetEnumerator());
        }
        // Streams open in the order of their ids (RFC 9113 §5.1.1): a call starts only after the ones before it did.
        var started = 0;
        while (pending.Count > 0)
        {
            var next = pending[_random.Next(Math.Min(pending.Count, started + 1))];
            if (!next.MoveNext())
            {
                pending.Remove(next);
                started--;
                next.Dispose();
                continue;
            }
            if (pending.IndexOf(next) == started)
            {
                started++;
            }
            Frames.Add(next.Current);
            if (_random.Next(12) == 0)
            {
                Frames.Add(Noise());
            }
        }
        return this;
    }

    /// <summary>Changes the table size of one side's encoder (written in its next header block).</summary>
    public H2Conversation TableSize(bool client, int size)
    {
        (client ? _client : _server).SetMaxSize(size);
        return this;
    }

    /// <summary>The frames as reads and writes of the traced client: runs of one direction joined, then cut at random points.</summary>
    public List<AgentEvent> Events(ulong connection = 0x2000, int maxCuts = 4)
    {
        var wire = new TlsWire();
        var runs = new List<(bool FromClient, List<byte> Bytes)>();
        foreach (var (fromClient, bytes) in Frames)
        {
            if (runs.Count > 0 && runs[^1].FromClient == fromClient && _random.Next(3) != 0)
            {
                runs[^1].Bytes.AddRange(bytes);
            }
            else
            {
                runs.Add((fromClient, [.. bytes]));
            }
        }
        foreach (var (fromClient, list) in runs)
        {
            var bytes = list.ToArray();
            var cuts = Enumerable.Range(0, _random.Next(maxCuts + 1)).Select(_ => _random.Next(1, Math.Max(2, bytes.Length))).Where(c => c < bytes.Length)
                .Distinct().Order().ToList();
            var start = 0;
            foreach (var cut in cuts.Append(bytes.Length))
            {
                wire.Add(fromClient ? TlsDirection.Write : TlsDirection.Read, bytes[start..cut], connection);
                start = cut;
            }
        }
        return wire.Events;
    }

    /// <summary>A streamed SSE call (Anthropic's format), or a JSON one, with random headers.</summary>
    public static H2Call RandomCall(Random random, bool gzip = false)
    {
        var path = random.Next(3) switch
        {
            0 => "/v1/messages",
            1 => "/v1/chat/completions?x=" + random.Next(1000),
            _ => "/v1/models/é" + random.Next(100),
        };
        var body = Encoding.UTF8.GetBytes($$"""{"model":"claude-{{random.Next(9)}}","stream":true,"messages":[{"role":"user","content":"héllo ✓ {{random.Next()}}"}]}""");
        List<(string, string)> requestHeaders =
        [
            ("content-type", "application/json"),
            ("x-api-key", "sk-ant-FAKE-" + random.Next(1000)),
            ("user-agent", "agent/1." + random.Next(3)),
            ("anthropic-version", "2023-06-01"),
        ];
        if (random.Next(3) == 0)
        {
            requestHeaders.Add(("x-custom-" + random.Next(50), new string('v', random.Next(0, 300))));
        }
        var streamed = random.Next(2) == 0;
        var text = string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(i =>
            streamed ? $"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"ünï {i} ✓\"}}}}\n\n"
                     : $"{{\"part\":{i},\"text\":\"ünï ✓\"}}"));
        var responseBody = Encoding.UTF8.GetBytes(text);
        List<(string, string)> responseHeaders =
        [
            ("content-type", streamed ? "text/event-stream; charset=utf-8" : "application/json"),
            ("request-id", "req_" + random.Next()),
            ("date", "Sun, 06 Dec 2026 08:57:45 GMT"),
        ];
        byte[]? encoded = null;
        if (gzip && !streamed)
        {
            encoded = TlsWire.Gzip(responseBody);
            responseHeaders.Add(("content-encoding", "gzip"));
        }
        return new H2Call("POST", path, random.Next(4) == 0 ? "localhost:8443" : "api.anthropic.com", requestHeaders, body, 200,
            responseHeaders, responseBody, encoded);
    }

    private IEnumerable<(bool FromClient, byte[] Bytes)> FramesOf(H2Call call)
    {
        var id = call.StreamId;
        var requestBlock = _client.Encode([(":method", call.Method), (":scheme", "https"), (":authority", call.Authority), (":path", call.Path),
            .. call.RequestHeaders]);
        var hasBody = call.RequestBody.Length > 0;
        yield return (true, H2Frames.Headers(id, requestBlock, endStream: !hasBody, maxFragment: FragmentSize(requestBlock),
            padding: _random.Next(4) == 0 ? _random.Next(0, 20) : -1, priority: _random.Next(4) == 0));
        foreach (var frame in DataFrames(id, call.RequestBody, endStream: true))
        {
            yield return (true, frame);
        }
        if (_random.Next(6) == 0)
        {
            yield return (false, H2Frames.Headers(id, _server.Encode([(":status", "100")]), endStream: false));
        }
        var responseBlock = _server.Encode([(":status", call.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. call.ResponseHeaders]);
        var body = call.WireResponseBody;
        var trailers = _random.Next(5) == 0;
        yield return (false, H2Frames.Headers(id, responseBlock, endStream: body.Length == 0 && !trailers, maxFragment: FragmentSize(responseBlock)));
        if (body.Length > 0)
        {
            foreach (var frame in DataFrames(id, body, endStream: !trailers))
            {
                yield return (false, frame);
            }
        }
        if (trailers)
        {
            yield return (false, H2Frames.Headers(id, _server.Encode([("x-trailer", "done " + id)]), endStream: true));
        }
    }

    private int FragmentSize(byte[] block) => _random.Next(3) == 0 ? Math.Max(1, _random.Next(1, Math.Max(2, block.Length))) : 16384;

    private IEnumerable<byte[]> DataFrames(int stream, byte[] body, bool endStream)
    {
        var at = 0;
        while (at < body.Length)
        {
            var size = Math.Min(body.Length - at, _random.Next(1, 200));
            var last = at + size == body.Length;
            yield return H2Frames.Data(stream, body.AsSpan(at, size), last && endStream, _random.Next(5) == 0 ? _random.Next(0, 30) : -1);
            at += size;
        }
        if (body.Length == 0 && endStream)
        {
            yield return H2Frames.Data(stream, [], endStream: true);
        }
    }

    private (bool, byte[]) Noise()
    {
        var fromClient = _random.Next(2) == 0;
        return _random.Next(6) switch
        {
            0 => (fromClient, H2Frames.Ping()),
            1 => (fromClient, H2Frames.WindowUpdate(0, _random.Next(1, 1 << 20))),
            2 => (fromClient, H2Frames.Settings((4, (uint)_random.Next(65535, 1 << 20)))),
            3 => (true, H2Frames.Priority(1, 0, 16)),
            4 => (fromClient, H2Frames.Frame(0xBB, 0x5A, _random.Next(0, 9), new byte[_random.Next(0, 20)])),
            _ => (fromClient, H2Frames.SettingsAck()),
        };
    }
}
