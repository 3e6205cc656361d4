using System.Buffers.Binary;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Http.WebSocket;

/// <summary>
/// A connection that switched to WebSocket (RFC 6455): a <c>101</c> answering <c>Upgrade: websocket</c>. Each
/// direction's frames are read by its own <see cref="WebSocketReader"/>; each message (and each control frame) is one
/// <c>websocket</c> event carrying the upgrade's exchange id. permessage-deflate (RFC 7692) is read when the 101 agreed to it.
/// </summary>
internal sealed class WebSocketConnection
{
    private readonly HttpConnection _connection;
    private readonly WebSocketReader _writes;
    private readonly WebSocketReader _reads;
    private readonly string _exchangeId;

    public WebSocketConnection(HttpConnection connection, HttpAnalyzer analyzer, bool clientIsWrite, string exchangeId, string? extensions)
    {
        _connection = connection;
        Analyzer = analyzer;
        Counters = analyzer.WebSocketCounters;
        _exchangeId = exchangeId;
        Limits = DecodeLimits.From(analyzer.Config);
        MaxMessageBytes = analyzer.Config.MaxBodyBytes;
        var deflate = PerMessageDeflate.Parse(extensions);
        var client = new WebSocketReader(this, fromClient: true, deflate.Agreed, !deflate.ClientNoContextTakeover);
        var server = new WebSocketReader(this, fromClient: false, deflate.Agreed, !deflate.ServerNoContextTakeover);
        (_writes, _reads) = clientIsWrite ? (client, server) : (server, client);
        Counters.Connections.Add();
    }

    public HttpAnalyzer Analyzer { get; }

    public WebSocketCounters Counters { get; }

    /// <summary>How far one compressed message may inflate.</summary>
    public DecodeLimits Limits { get; }

    /// <summary>Decoded bytes of a message kept for its event (<c>max_body_bytes</c>).</summary>
    public long MaxMessageBytes { get; }

    /// <summary>What a message in progress holds; an idle timeout drops it (<see cref="Cut"/>), the framing goes on.</summary>
    public long BufferedBytes => _writes.BufferedBytes + _reads.BufferedBytes;

    /// <summary>Reads one read or write.</summary>
    public FeedResult Feed(AgentEvent evt, TlsPayload tls)
    {
        var data = tls.HasBytes ? tls.Bytes.Span : default;
        var lost = tls.HasBytes ? tls.BytesLost : Math.Max(0, tls.Length);
        var reader = tls.Direction == TlsDirection.Write ? _writes : _reads;
        if (reader.Lost)
        {
            Analyzer.Counters.NonHttpBytes.Add(data.Length);
            return FeedResult.Raw;
        }
        reader.Feed(data, lost, evt);
        return FeedResult.Consumed;
    }

    /// <summary>Reads the bytes of a read or write, or what follows the 101 in the read that carried it.</summary>
    public void Feed(bool isWrite, AgentEvent evt, ReadOnlySpan<byte> data, long lost) =>
        (isWrite ? _writes : _reads).Feed(data, lost, evt);

    /// <summary>The connection is cut but goes on (idle): messages in progress are dropped, framing is kept.</summary>
    public void Cut()
    {
        _writes.Drop();
        _reads.Drop();
    }

    /// <summary>The connection is over: everything is let go.</summary>
    public void Close()
    {
        _writes.Dispose();
        _reads.Dispose();
    }

    /// <summary>A data message ended: one event.</summary>
    /// <param name="compressedSize">Payload bytes on the wire of a compressed message; null when it was not compressed.</param>
    /// <param name="size">Decoded bytes; null when a compressed message could not be inflated.</param>
    public void EmitMessage(WebSocketReader reader, WebSocketOpcode opcode, long? compressedSize, long? size, ReadOnlySpan<byte> kept,
        bool truncated, int frames, long startNs, AgentEvent evt)
    {
        if (truncated)
        {
            Counters.MessagesTruncated.Add();
        }
        // Binary messages are counted, not shown: their bytes mean nothing to a reader of events.
        var hasText = opcode == WebSocketOpcode.Text && size is not null;
        Emit(reader, opcode, hasText, hasText ? kept.ToArray() : null, size, compressedSize, truncated, frames, null, startNs, evt);
    }

    /// <summary>A control frame: one event (a close's code and reason, a ping's or pong's payload).</summary>
    public void EmitControl(WebSocketReader reader, WebSocketOpcode opcode, ReadOnlySpan<byte> payload, AgentEvent evt)
    {
        int? code = null;
        if (opcode == WebSocketOpcode.Close && payload.Length >= 2)
        {
            code = BinaryPrimitives.ReadUInt16BigEndian(payload);
            payload = payload[2..];
        }
        Emit(reader, opcode, !payload.IsEmpty, payload.IsEmpty ? null : payload.ToArray(), payload.Length + (code is null ? 0 : 2),
            null, false, 1, code, evt.Timestamp, evt);
    }

    private void Emit(WebSocketReader reader, WebSocketOpcode opcode, bool hasText, byte[]? text, long? size, long? compressedSize,
        bool truncated, int frames, int? closeCode, long startNs, AgentEvent evt)
    {
        // Bytes, not a string in a JSON object: later stages read the message once, straight from UTF-8.
        var message = new WebSocketMessagePayload(_exchangeId, _connection.ConnId, reader.FromClient, Name(opcode))
        {
            TracedIsServer = _connection.Role == HttpRole.Server,
            HasText = hasText,
            Text = text,
            Size = size,
            CompressedSize = compressedSize,
            Truncated = truncated,
            Frames = frames,
            StartNs = startNs,
            EndNs = evt.Timestamp,
            CloseCode = closeCode,
        };
        Counters.Messages.Add();
        Analyzer.EmitEvent(new AgentEvent(evt.Timestamp, EventNames.WebSocket, _connection.Key.Pid, evt.Tid, evt.Comm, message));
    }

    private static string Name(WebSocketOpcode opcode) => opcode switch
    {
        WebSocketOpcode.Text => "text",
        WebSocketOpcode.Binary => "binary",
        WebSocketOpcode.Close => "close",
        WebSocketOpcode.Ping => "ping",
        _ => "pong",
    };

    /// <summary>What the 101's <c>Sec-WebSocket-Extensions</c> agreed to of permessage-deflate (RFC 7692 §7.1).</summary>
    private readonly record struct PerMessageDeflate(bool Agreed, bool ServerNoContextTakeover, bool ClientNoContextTakeover)
    {
        public static PerMessageDeflate Parse(string? extensions)
        {
            if (extensions is null)
            {
                return default;
            }
            foreach (var extension in extensions.Split(',', StringSplitOptions.TrimEntries))
            {
                var parameters = extension.Split(';', StringSplitOptions.TrimEntries);
                if (!parameters[0].Equals("permessage-deflate", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                return new PerMessageDeflate(true,
                    parameters.Any(p => p.Equals("server_no_context_takeover", StringComparison.OrdinalIgnoreCase)),
                    parameters.Any(p => p.Equals("client_no_context_takeover", StringComparison.OrdinalIgnoreCase)));
            }
            return default;
        }
    }
}
