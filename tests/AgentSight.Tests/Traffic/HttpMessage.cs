using System.Globalization;
using System.Text;

namespace AgentSight.Tests.Runners;

/// <summary>One HTTP/1.1 message cut out of a byte stream, with its body de-chunked.</summary>
internal sealed class HttpMessage
{
    public required string StartLine { get; init; }

    public required IReadOnlyList<(string Name, string Value)> Headers { get; init; }

    /// <summary>The body after chunked decoding (the payload).</summary>
    public required byte[] Body { get; init; }

    public required bool Chunked { get; init; }

    /// <summary>Where the message starts and ends in the stream it was cut from.</summary>
    public required int Start { get; init; }

    public required int End { get; init; }

    /// <summary>Positions of the chunk-size lines (digits and CRLF) in the stream.</summary>
    public required IReadOnlyList<(int Start, int Length)> SizeLines { get; init; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>
    /// Cuts every message out of <paramref name="stream"/>, strictly (RFC 9112): bodies framed by
    /// Transfer-Encoding: chunked or Content-Length, requests without either have none. Throws on anything left over,
    /// incomplete or malformed.
    /// </summary>
    public static List<HttpMessage> ParseAll(byte[] stream)
    {
        var messages = new List<HttpMessage>();
        var at = 0;
        while (at < stream.Length)
        {
            messages.Add(ParseOne(stream, at));
            at = messages[^1].End;
        }
        return messages;
    }

    private static HttpMessage ParseOne(byte[] stream, int start)
    {
        var headEnd = stream.AsSpan(start).IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            throw new InvalidDataException($"no end of headers after offset {start}");
        }
        var head = Encoding.UTF8.GetString(stream, start, headEnd).Split("\r\n");
        var headers = new List<(string, string)>();
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"bad header line \"{line}\"");
            }
            headers.Add((line[..colon], line[(colon + 1)..].Trim()));
        }
        var at = start + headEnd + 4;
        var message = new HttpMessage
        {
            StartLine = head[0],
            Headers = headers,
            Body = [],
            Chunked = false,
            Start = start,
            End = at,
            SizeLines = [],
        };
        var transferEncoding = message.Header("Transfer-Encoding");
        if (transferEncoding is not null && transferEncoding.Trim().EndsWith("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var body = new List<byte>();
            var sizeLines = new List<(int, int)>();
            while (true)
            {
                var lineEnd = stream.AsSpan(at).IndexOf("\r\n"u8);
                if (lineEnd < 0)
                {
                    throw new InvalidDataException("incomplete chunk-size line");
                }
                sizeLines.Add((at, lineEnd + 2));
                var sizeText = Encoding.ASCII.GetString(stream, at, lineEnd).Split(';')[0].Trim();
                var size = int.Parse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                at += lineEnd + 2;
                if (size == 0)
                {
                    if (!stream.AsSpan(at).StartsWith("\r\n"u8))
                    {
                        throw new InvalidDataException("missing CRLF after the last chunk");
                    }
                    at += 2;
                    break;
                }
                if (at + size + 2 > stream.Length || stream[at + size] != '\r' || stream[at + size + 1] != '\n')
                {
                    throw new InvalidDataException($"chunk of {size} bytes at {at} is incomplete or not followed by CRLF");
                }
                body.AddRange(stream.AsSpan(at, size));
                at += size + 2;
            }
            return new HttpMessage
            {
                StartLine = message.StartLine,
                Headers = headers,
                Body = [.. body],
                Chunked = true,
                Start = start,
                End = at,
                SizeLines = sizeLines,
            };
        }
        if (message.Header("Content-Length") is { } lengthText)
        {
            var length = int.Parse(lengthText, CultureInfo.InvariantCulture);
            if (at + length > stream.Length)
            {
                throw new InvalidDataException($"body shorter than Content-Length {length}");
            }
            return new HttpMessage
            {
                StartLine = message.StartLine,
                Headers = headers,
                Body = stream[at..(at + length)],
                Chunked = false,
                Start = start,
                End = at + length,
                SizeLines = [],
            };
        }
        if (!message.StartLine.StartsWith("HTTP/", StringComparison.Ordinal))
        {
            return message; // A request without framing headers has no body.
        }
        throw new InvalidDataException("response without Content-Length or chunked encoding");
    }
}
