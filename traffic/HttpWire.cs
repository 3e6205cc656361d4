using System.Globalization;
using System.Text;

namespace AgentSight.Traffic;

/// <summary>HTTP/1.1 framing: request bytes, and response bytes with chunked encoding and send timing.</summary>
internal static class HttpWire
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The request's bytes and where its body starts.</summary>
    public static (byte[] Bytes, int BodyStart) Request(string path, string host, IEnumerable<(string Name, string Value)> headers,
        ClientKind client, string body)
    {
        var bodyBytes = Utf8.GetBytes(body);
        var head = new StringBuilder(1024);
        head.Append("POST ").Append(path).Append(" HTTP/1.1\r\n");
        head.Append(client == ClientKind.Python ? "Host" : "host").Append(": ").Append(host).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        head.Append(client == ClientKind.Python ? "Content-Length" : "content-length").Append(": ")
            .Append(bodyBytes.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        var headBytes = Utf8.GetBytes(head.ToString());
        return ([.. headBytes, .. bodyBytes], headBytes.Length);
    }

    /// <summary>
    /// A 200 response. Streams are chunk-encoded: each chunk holds one SSE event, a few, or part of one, and chunks
    /// leave a few milliseconds apart, as tokens are generated; non-streamed bodies get a Content-Length.
    /// </summary>
    public static ResponseWire Response(IEnumerable<(string Name, string Value)> headers, ApiResponse response, SyntheticRandom random)
    {
        var stream = response.Events is not null;
        var head = new StringBuilder(1024).Append("HTTP/1.1 200 OK\r\n");
        var body = stream ? [] : Utf8.GetBytes(response.Body ?? "");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                head.Append(stream ? "Transfer-Encoding: chunked" : "Content-Length: " + body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            }
        }
        head.Append("\r\n");

        var bytes = new List<byte>(4096);
        bytes.AddRange(Utf8.GetBytes(head.ToString()));
        var units = new List<(int End, long OffsetNs)>();
        var sizeLines = new List<(int Start, int Length)>();

        if (!stream)
        {
            // The whole body is ready at once; it may still leave in a second write after the headers.
            if (random.Chance(0.4))
            {
                units.Add((bytes.Count, 0));
                bytes.AddRange(body);
                units.Add((bytes.Count, random.Around(150_000)));
            }
            else
            {
                bytes.AddRange(body);
                units.Add((bytes.Count, 0));
            }
            return new ResponseWire { Bytes = [.. bytes], Units = units, SizeLines = sizeLines };
        }

        units.Add((bytes.Count, 0));
        var upper = random.Chance(0.2);
        long offset = 0;
        var events = response.Events!;
        var i = 0;
        var first = true;
        while (i < events.Count)
        {
            var data = Utf8.GetBytes(events[i]);
            var roll = random.NextDouble();
            var gap = first ? random.Around(1_500_000) : random.Around(14_000_000, 0.7);
            first = false;
            if (roll < 0.12 && data.Length >= 8)
            {
                // One event in two chunks: the server flushed in the middle of it.
                var cut = random.Next(1, data.Length);
                offset += gap;
                AddChunk(data.AsSpan(0, cut), offset);
                offset += random.Around(400_000);
                AddChunk(data.AsSpan(cut), offset);
                i++;
            }
            else if (roll < 0.32 && i + 1 < events.Count)
            {
                // Several events in one chunk: they were generated faster than they were flushed.
                var take = Math.Min(events.Count - i, random.Next(2, 4));
                var joined = new List<byte>();
                for (var k = 0; k < take; k++)
                {
                    joined.AddRange(Utf8.GetBytes(events[i + k]));
                }
                offset += gap * take;
                AddChunk(joined.ToArray(), offset);
                i += take;
            }
            else
            {
                offset += gap;
                AddChunk(data, offset);
                i++;
            }
        }
        // The last chunk: alone, or in the same write as the final data chunk.
        sizeLines.Add((bytes.Count, 3));
        bytes.AddRange("0\r\n\r\n"u8.ToArray());
        if (random.Chance(0.5))
        {
            units[^1] = (bytes.Count, units[^1].OffsetNs);
        }
        else
        {
            units.Add((bytes.Count, offset + random.Around(300_000)));
        }
        return new ResponseWire { Bytes = [.. bytes], Units = units, SizeLines = sizeLines };

        void AddChunk(ReadOnlySpan<byte> chunk, long at)
        {
            var size = chunk.Length.ToString(upper ? "X" : "x", CultureInfo.InvariantCulture) + "\r\n";
            sizeLines.Add((bytes.Count, size.Length));
            bytes.AddRange(Utf8.GetBytes(size));
            bytes.AddRange(chunk.ToArray());
            bytes.Add((byte)'\r');
            bytes.Add((byte)'\n');
            units.Add((bytes.Count, at));
        }
    }
}
