using System.Text.Json;

namespace AgentSight.Contracts;

/// <summary>Plaintext captured at a TLS library call: the payload of <c>ssl</c> events.</summary>
/// <remarks>
/// JSON form (field names as in the original tool's <c>sslsniff</c> output, so its filters keep working):
/// <c>{"function":"READ/RECV","conn_id":"0x…","uid":1000,"len":156,"latency_ms":0.2,"is_handshake":false,
/// "data":"…","truncated":false}</c>. <c>data</c> is the bytes as text when they are valid UTF-8 without control
/// characters other than tab, CR and LF; otherwise <c>"HEX:"</c> and the bytes in lowercase hex, so nothing is lost.
/// <c>bytes_lost</c> follows <c>truncated</c> when the capture was cut.
/// </remarks>
public sealed class TlsPayload : EventPayload
{
    /// <summary>Creates a TLS payload.</summary>
    public TlsPayload(TlsDirection direction, ReadOnlyMemory<byte> bytes, long length)
    {
        Direction = direction;
        Bytes = bytes;
        Length = length;
        HasBytes = direction != TlsDirection.Handshake;
    }

    /// <summary>Read, write or handshake.</summary>
    public TlsDirection Direction { get; set { ThrowIfShared(); field = value; } }

    /// <summary>The captured plaintext (possibly cut, see <see cref="BytesLost"/>).</summary>
    public ReadOnlyMemory<byte> Bytes { get; set { ThrowIfShared(); field = value; } }

    /// <summary>False when no bytes were captured at all (handshakes, failed copies): JSON <c>"data":null</c>.</summary>
    public bool HasBytes { get; set { ThrowIfShared(); field = value; } }

    /// <summary>The call's return value: the number of bytes actually read or written.</summary>
    public long Length { get; set { ThrowIfShared(); field = value; } }

    /// <summary>Bytes of this call that were not captured because of the size cap.</summary>
    public long BytesLost { get; set { ThrowIfShared(); field = value; } }

    /// <summary>True when part of the call's bytes were not captured.</summary>
    public bool Truncated => BytesLost > 0;

    /// <summary>The TLS connection: the address of the library's connection object (<c>SSL*</c>), 0 when unknown.</summary>
    public ulong ConnectionId { get; set { ThrowIfShared(); field = value; } }

    /// <summary>User id of the calling thread, or null when unknown.</summary>
    public uint? Uid { get; set { ThrowIfShared(); field = value; } }

    /// <summary>Time from entering the library call to its return, in nanoseconds.</summary>
    public long LatencyNs { get; set { ThrowIfShared(); field = value; } }

    /// <summary>The TLS library or binary the probe was attached to, when known.</summary>
    public string? Library { get; set { ThrowIfShared(); field = value; } }

    /// <summary>The socket (file descriptor in the process) the connection uses, when known (contracts 1.3).</summary>
    public int? Fd { get; set { ThrowIfShared(); field = value; } }

    /// <summary>The original tool's name for the direction: READ/RECV, WRITE/SEND or HANDSHAKE.</summary>
    public string Function => FunctionName(Direction);

    /// <summary>The original tool's name for a direction.</summary>
    public static string FunctionName(TlsDirection direction) => direction switch
    {
        TlsDirection.Read => "READ/RECV",
        TlsDirection.Write => "WRITE/SEND",
        _ => "HANDSHAKE",
    };

    /// <summary>Parses READ/RECV, WRITE/SEND or HANDSHAKE.</summary>
    public static bool TryParseFunction(string? function, out TlsDirection direction)
    {
        switch (function)
        {
            case "READ/RECV":
                direction = TlsDirection.Read;
                return true;
            case "WRITE/SEND":
                direction = TlsDirection.Write;
                return true;
            case "HANDSHAKE":
                direction = TlsDirection.Handshake;
                return true;
            default:
                direction = default;
                return false;
        }
    }

    /// <inheritdoc />
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("function"u8, Function);
        if (ConnectionId != 0)
        {
            // Formatted on the stack: this runs for every captured read and write.
            Span<byte> hex = stackalloc byte[18];
            "0x"u8.CopyTo(hex);
            ConnectionId.TryFormat(hex[2..], out var written, "x", System.Globalization.CultureInfo.InvariantCulture);
            writer.WriteString("conn_id"u8, hex[..(2 + written)]);
        }
        if (Uid is { } uid)
        {
            writer.WriteNumber("uid"u8, uid);
        }
        writer.WriteNumber("len"u8, Length);
        JsonMilliseconds.Write(writer, "latency_ms"u8, LatencyNs);
        writer.WriteBoolean("is_handshake"u8, Direction == TlsDirection.Handshake);
        writer.WritePropertyName("data"u8);
        if (HasBytes)
        {
            PayloadBytes.Write(writer, Bytes.Span);
        }
        else
        {
            writer.WriteNullValue();
        }
        writer.WriteBoolean("truncated"u8, Truncated);
        if (Truncated)
        {
            writer.WriteNumber("bytes_lost"u8, BytesLost);
        }
        if (Library is not null)
        {
            writer.WriteString("lib"u8, Library);
        }
        if (Fd is { } fd)
        {
            writer.WriteNumber("fd"u8, fd);
        }
        writer.WriteEndObject();
    }

    /// <summary>Formats a connection id the way it appears in JSON (<c>0x</c> and lowercase hex).</summary>
    public static string FormatConnectionId(ulong id) => "0x" + id.ToString("x");

    /// <summary>Parses a connection id written by <see cref="FormatConnectionId"/>.</summary>
    public static bool TryParseConnectionId(string? text, out ulong id)
    {
        id = 0;
        return text is not null && text.StartsWith("0x", StringComparison.Ordinal)
            && ulong.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out id);
    }

    /// <summary>True when the bytes are written as text rather than as <c>HEX:</c> (see <see cref="PayloadBytes"/>).</summary>
    public static bool IsText(ReadOnlySpan<byte> bytes) => PayloadBytes.IsText(bytes);

    /// <summary>Bytes as the string form used in JSON payloads (see <see cref="PayloadBytes.Format"/>).</summary>
    public static string FormatData(ReadOnlySpan<byte> bytes) => PayloadBytes.Format(bytes);

    /// <summary>Decodes the JSON <c>data</c> string back into bytes (see <see cref="PayloadBytes.Decode"/>).</summary>
    public static byte[] DecodeData(string data) => PayloadBytes.Decode(data);
}
