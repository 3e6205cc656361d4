using System.Globalization;
using System.IO.Compression;
using System.Text;
using AgentSight.Contracts;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Support;

/// <summary>Writes the reads and writes of TLS connections as <c>ssl</c> events, a millisecond apart.</summary>
internal sealed class Wire(int pid = 4242, int tid = 4250, string comm = "agent")
{
    private long _time = Some.Epoch;

    public List<AgentEvent> Events { get; } = [];

    public long Now => _time;

    /// <summary>The process writes (sends) these bytes.</summary>
    public Wire Write(string text, ulong connection = 0x1000, int? tidOverride = null) =>
        Add(TlsDirection.Write, Encoding.UTF8.GetBytes(text), connection, tidOverride);

    /// <summary>The process reads (receives) these bytes.</summary>
    public Wire Read(string text, ulong connection = 0x1000, int? tidOverride = null) =>
        Add(TlsDirection.Read, Encoding.UTF8.GetBytes(text), connection, tidOverride);

    public Wire Add(TlsDirection direction, byte[] bytes, ulong connection = 0x1000, int? tidOverride = null, long bytesLost = 0)
    {
        _time += 1_000_000;
        Events.Add(new AgentEvent(_time, EventSources.Ssl, pid, tidOverride ?? tid, comm,
            new TlsPayload(direction, bytes, bytes.Length + bytesLost) { ConnectionId = connection, Uid = 1000, BytesLost = bytesLost }));
        return this;
    }

    public Wire Handshake(ulong connection = 0x1000)
    {
        _time += 1_000_000;
        Events.Add(new AgentEvent(_time, EventSources.Ssl, pid, tid, comm,
            new TlsPayload(TlsDirection.Handshake, ReadOnlyMemory<byte>.Empty, 1) { ConnectionId = connection }));
        return this;
    }

    public Wire Wait(TimeSpan time)
    {
        _time += time.Ticks * 100;
        return this;
    }

    public static string Request(string body, string path = "/v1/messages", string host = "api.anthropic.com", string method = "POST",
        string extraHeaders = "") =>
        $"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{extraHeaders}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    public static string Response(string body, int status = 200, string contentType = "application/json", string extraHeaders = "") =>
        $"HTTP/1.1 {status} {Reason(status)}\r\nContent-Type: {contentType}\r\n{extraHeaders}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    /// <summary>A chunked response head; the chunks follow with <see cref="Chunk"/> and <see cref="LastChunk"/>.</summary>
    public static string StreamHead(string contentType = "text/event-stream; charset=utf-8", string extraHeaders = "") =>
        $"HTTP/1.1 200 OK\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n{extraHeaders}\r\n";

    public static string Chunk(string text) => Chunk(Encoding.UTF8.GetBytes(text));

    public static string Chunk(byte[] bytes) =>
        bytes.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n" + Encoding.Latin1.GetString(bytes) + "\r\n";

    public const string LastChunk = "0\r\n\r\n";

    /// <summary>A whole chunked response with each piece as one chunk.</summary>
    public static string ChunkedResponse(IEnumerable<string> pieces, string contentType = "text/event-stream; charset=utf-8") =>
        StreamHead(contentType) + string.Concat(pieces.Select(Chunk)) + LastChunk;

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    public static byte[] Brotli(byte[] data)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Fastest))
        {
            brotli.Write(data);
        }
        return output.ToArray();
    }

    public static byte[] Zlib(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest))
        {
            zlib.Write(data);
        }
        return output.ToArray();
    }

    public static byte[] RawDeflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Fastest))
        {
            deflate.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>Latin-1 keeps every byte as one char, so binary can ride in the text helpers.</summary>
    public static string Bytes(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    public static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        100 => "Continue",
        101 => "Switching Protocols",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        429 => "Too Many Requests",
        529 => "Overloaded",
        _ => "Status",
    };
}
