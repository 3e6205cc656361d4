using System.Text.Json;

namespace AgentSight.Contracts;

/// <summary>Bytes a traced process wrote or read on a pipe, tty or socket pair: the payload of <c>stdio</c> events (contracts 1.5).</summary>
/// <remarks>
/// JSON form: <c>{"function":"WRITE","fd":1,"kind":"pipe","stream_id":4711,"peer_pid":1234,"len":42,"data":"…",
/// "truncated":false}</c>, with <c>data</c> as text or <c>HEX:</c> like <see cref="TlsPayload"/> data and
/// <c>bytes_lost</c> after <c>truncated</c> when the capture was cut. <c>stream_id</c> names the kernel object both
/// ends share (a pipe's or socket's inode), so a reader pairs what one process wrote with what another read.
/// </remarks>
public sealed class StdioPayload : EventPayload
{
    /// <summary>Creates a stdio payload.</summary>
    public StdioPayload(IoDirection direction, int fd, ReadOnlyMemory<byte> bytes, long length)
    {
        Direction = direction;
        Fd = fd;
        Bytes = bytes;
        Length = length;
    }

    /// <summary>Written or read by the event's process.</summary>
    public IoDirection Direction { get; }

    /// <summary>The file descriptor in the event's process.</summary>
    public int Fd { get; }

    /// <summary>What the descriptor is: <c>pipe</c>, <c>fifo</c>, <c>tty</c> or <c>unix</c> (a socket pair); null when unknown.</summary>
    public string? Kind { get; init; }

    /// <summary>The kernel object both ends share (an inode number), 0 when unknown.</summary>
    public ulong StreamId { get; init; }

    /// <summary>The process at the other end, when known.</summary>
    public int? PeerPid { get; init; }

    /// <summary>The captured bytes (possibly cut, see <see cref="BytesLost"/>). Redaction may replace them.</summary>
    public ReadOnlyMemory<byte> Bytes { get; set { ThrowIfShared(); field = value; } }

    /// <summary>The call's return value: the number of bytes actually read or written.</summary>
    public long Length { get; }

    /// <summary>Bytes of this call that were not captured because of a cap.</summary>
    public long BytesLost { get; init; }

    /// <summary>True when part of the call's bytes were not captured.</summary>
    public bool Truncated => BytesLost > 0;

    /// <summary><c>READ</c> or <c>WRITE</c>.</summary>
    public string Function => Direction == IoDirection.Write ? "WRITE" : "READ";

    /// <inheritdoc />
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("function"u8, Function);
        writer.WriteNumber("fd"u8, Fd);
        if (Kind is not null)
        {
            writer.WriteString("kind"u8, Kind);
        }
        if (StreamId != 0)
        {
            writer.WriteNumber("stream_id"u8, StreamId);
        }
        if (PeerPid is { } peer)
        {
            writer.WriteNumber("peer_pid"u8, peer);
        }
        writer.WriteNumber("len"u8, Length);
        writer.WritePropertyName("data"u8);
        PayloadBytes.Write(writer, Bytes.Span);
        writer.WriteBoolean("truncated"u8, Truncated);
        if (Truncated)
        {
            writer.WriteNumber("bytes_lost"u8, BytesLost);
        }
        writer.WriteEndObject();
    }
}
