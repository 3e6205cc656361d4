using System.Runtime.InteropServices;
using AgentSight.Contracts;
using AgentSight.Host.Capture.Network;

namespace AgentSight.Host.Capture;

/// <summary>
/// Turns the TLS program's records into <c>ssl</c> events: one event per library call. A call larger than one
/// record arrives as consecutive pieces from the same thread (offset 0 first, a last-piece flag at the end); they
/// are joined here into one buffer, allocated once at the first piece.
/// </summary>
/// <remarks>
/// Pieces of one call are written by one program run on one CPU, so nothing else from that thread comes between
/// them. When the ring was full part-way, the kernel stops the call and says so (or, if even that did not fit, the
/// thread's next call or the periodic flush ends it): the event then carries the bytes that arrived and counts the
/// rest in <c>bytes_lost</c>, and the kernel's own counters report the lost records.
/// <para>
/// The TLS ring also carries what the socket calls of traced processes said (<see cref="SocketRecord"/>): ClientHellos
/// and application data for <see cref="TlsCoverage"/>, and links from a connection object to its socket. An AEAD
/// context names one direction of a connection only; its records are joined with the other direction by socket
/// (<see cref="SocketConnections"/>), and a record sent before its socket was known waits for the link.
/// </para>
/// </remarks>
internal sealed class TlsDecoder : Bpf.IRingBufferConsumer
{
    private static readonly int HeaderSize = Marshal.SizeOf<TlsRecordHeader>();
    private static readonly int SocketSize = Marshal.SizeOf<SocketRecord>();

    private readonly BootClock _clock;
    private readonly Func<ulong, string?> _library;
    private readonly CommNames _comms;
    private readonly Action<AgentEvent> _emit;
    private readonly TlsCounters _counters;
    private readonly Dictionary<uint, Pending> _pending = [];
    private readonly TlsCoverage? _coverage;
    private readonly SocketConnections _sockets = new();
    private readonly Dictionary<(uint Pid, ulong Conn), Waiting> _waiting = [];
    private readonly ProbeVerifier? _verifier;

    public TlsDecoder(BootClock clock, Func<ulong, string?> library, CommNames comms, Action<AgentEvent> emit, TlsCounters counters,
        TlsCoverage? coverage = null, ProbeVerifier? verifier = null)
    {
        _verifier = verifier;
        _clock = clock;
        _library = library;
        _comms = comms;
        _emit = emit;
        _counters = counters;
        _coverage = coverage;
    }

    /// <summary>One-way records waiting for their socket.</summary>
    public int WaitingRecords => _waiting.Values.Sum(w => w.Events.Count);

    /// <summary>Calls being joined right now.</summary>
    public int PendingCalls => _pending.Count;

    public void OnRecord(ReadOnlySpan<byte> record)
    {
        if (record.Length > 0 && record[0] == RecordLayout.RecordSocket)
        {
            OnSocket(record);
            return;
        }
        if (record.Length < HeaderSize)
        {
            _counters.BadRecords.Add();
            return;
        }
        var header = MemoryMarshal.Read<TlsRecordHeader>(record);
        var payload = record[HeaderSize..];
        if (header.RecordKind != RecordLayout.RecordTls || header.Captured > payload.Length || header.CallCaptured > RecordLayout.MaxCaptureLimit)
        {
            _counters.BadRecords.Add();
            return;
        }
        payload = payload[..(int)header.Captured];

        if (header.TlsKind == RecordLayout.TlsHandshake)
        {
            Send(header, Event(header, ReadOnlyMemory<byte>.Empty, captured: 0));
            return;
        }

        var first = (header.Flags & RecordLayout.TlsFirst) != 0;
        var last = (header.Flags & RecordLayout.TlsLast) != 0;
        var aborted = (header.Flags & RecordLayout.TlsAborted) != 0;

        if (first && last && !aborted)
        {
            // Almost every call: one record, one copy out of the ring.
            Finish(_pending.Remove(header.Tid, out var stale) ? stale : null);
            if ((header.Flags & RecordLayout.TlsPadded) != 0 && !Unpad(ref payload, ref header))
            {
                return;
            }
            Send(header, Event(header, payload.ToArray(), payload.Length, copyFailed: (header.Flags & RecordLayout.TlsCopyFailed) != 0));
            return;
        }

        if (aborted)
        {
            if (_pending.Remove(header.Tid, out var cut) && cut.Header.StartNs == header.StartNs)
            {
                Finish(cut);
            }
            else
            {
                Finish(cut);
                // Nothing of the call arrived but the news that it was cut.
                _counters.IncompleteCalls.Add();
                Send(header, Event(header, ReadOnlyMemory<byte>.Empty, captured: 0));
            }
            return;
        }

        if (first)
        {
            Finish(_pending.Remove(header.Tid, out var previous) ? previous : null);
            var pending = new Pending(header, new byte[header.CallCaptured]);
            _pending[header.Tid] = pending;
            pending.Append(header, payload);
        }
        else if (_pending.TryGetValue(header.Tid, out var pending) && pending.Header.StartNs == header.StartNs)
        {
            pending.Append(header, payload);
        }
        else
        {
            // The call's first piece was lost (counted by the kernel): its middle cannot be placed.
            _counters.BadRecords.Add();
            return;
        }

        if (last && _pending.Remove(header.Tid, out var done))
        {
            Finish(done);
        }
    }

    /// <summary>Ends calls whose last piece has not come for <paramref name="age"/> (it was lost).</summary>
    public void FlushStale(TimeSpan age)
    {
        if (_pending.Count == 0)
        {
            return;
        }
        var cutoff = Environment.TickCount64 - (long)age.TotalMilliseconds;
        foreach (var (tid, pending) in _pending.Where(p => p.Value.LastSeen <= cutoff).ToList())
        {
            _pending.Remove(tid);
            Finish(pending);
        }
    }

    /// <summary>Ends every call still being joined (at shutdown).</summary>
    public void FlushAll()
    {
        foreach (var pending in _pending.Values)
        {
            Finish(pending);
        }
        _pending.Clear();
        ReleaseWaiting(TimeSpan.Zero);
    }

    /// <summary>
    /// Sends records whose socket link has not come for <paramref name="age"/> (it was lost): without their socket,
    /// one-way ones joined by their context alone, and counted in <c>unjoined_records</c>.
    /// </summary>
    public void ReleaseWaiting(TimeSpan age)
    {
        if (_waiting.Count == 0)
        {
            return;
        }
        var cutoff = Environment.TickCount64 - (long)age.TotalMilliseconds;
        foreach (var (key, waiting) in _waiting.Where(w => w.Value.Since <= cutoff).ToList())
        {
            _waiting.Remove(key);
            foreach (var evt in waiting.Events)
            {
                _counters.UnjoinedRecords.Add();
                _emit(evt);
            }
        }
    }

    private void OnSocket(ReadOnlySpan<byte> record)
    {
        if (record.Length < SocketSize)
        {
            _counters.BadRecords.Add();
            return;
        }
        var socket = MemoryMarshal.Read<SocketRecord>(record);
        var bytes = record[SocketSize..];
        if (socket.Captured > bytes.Length)
        {
            _counters.BadRecords.Add();
            return;
        }
        var pid = (int)socket.Pid;
        switch (socket.SocketKind)
        {
            case RecordLayout.SocketHello:
                _sockets.NewConnection(socket.Pid, socket.Fd);
                _coverage?.OnHello(pid, (int)socket.Tid, _comms.Get(socket.Comm), socket.Fd, bytes[..(int)socket.Captured], socket.TimestampNs);
                break;
            case RecordLayout.SocketData:
                _coverage?.OnData(pid, socket.Fd);
                break;
            case RecordLayout.SocketLink:
                _coverage?.OnPlaintext(pid, socket.Fd, socket.TimestampNs);
                if (_waiting.Remove((socket.Pid, socket.Connection), out var waiting))
                {
                    var id = _sockets.Id(socket.Pid, socket.Fd);
                    foreach (var evt in waiting.Events)
                    {
                        var payload = (TlsPayload)evt.Data;
                        if (payload.ConnectionId == socket.Connection && waiting.OneWay)
                        {
                            payload.ConnectionId = id;
                        }
                        payload.Fd = socket.Fd;
                        _emit(evt);
                    }
                }
                break;
            default:
                _counters.BadRecords.Add();
                break;
        }
    }

    /// <summary>
    /// Hands an event on: a one-way record with its connection joined by socket (or held until its socket is known),
    /// any other at once; either way coverage learns that a probe saw this connection's plaintext.
    /// </summary>
    private void Send(in TlsRecordHeader header, AgentEvent evt)
    {
        var payload = (TlsPayload)evt.Data;
        if (header.Fd >= 0)
        {
            payload.Fd = header.Fd;
        }
        if (payload.Direction != TlsDirection.Handshake)
        {
            _coverage?.OnPlaintext((int)header.Pid, header.Fd, header.EndNs);
        }
        if (payload.Direction == TlsDirection.Write)
        {
            _verifier?.OnWrite(header.Pid, header.Connection, header.Cookie, payload.Bytes.Span);
        }
        var oneWay = (header.Flags & RecordLayout.TlsOneWay) != 0;
        if (header.Fd >= 0 || (!oneWay && (header.Flags & RecordLayout.TlsLinkPending) == 0))
        {
            if (oneWay)
            {
                payload.ConnectionId = _sockets.Id(header.Pid, header.Fd);
            }
            _emit(evt);
            return;
        }
        // Its socket is named by the link the thread's next socket write sends; until then, the record waits.
        var key = (header.Pid, header.Connection);
        if (!_waiting.TryGetValue(key, out var waiting))
        {
            _waiting[key] = waiting = new Waiting(Environment.TickCount64, oneWay);
        }
        waiting.Events.Add(evt);
    }

    /// <summary>
    /// A TLS 1.3 record the peer padded: zeros, then the record type, at the end. True (and the type and zeros cut
    /// off) when it is application data.
    /// </summary>
    private static bool Unpad(ref ReadOnlySpan<byte> payload, ref TlsRecordHeader header)
    {
        var end = payload.LastIndexOfAnyExcept((byte)0);
        if (end < 0 || payload[end] != 0x17 || payload.Length != header.Length)
        {
            return false;
        }
        payload = payload[..end];
        header.Length = end;
        header.CallCaptured = (uint)end;
        return true;
    }

    private void Finish(Pending? pending)
    {
        if (pending is null)
        {
            return;
        }
        if (pending.Filled < pending.Header.CallCaptured)
        {
            _counters.IncompleteCalls.Add();
        }
        var header = pending.Header;
        ReadOnlySpan<byte> bytes = pending.Buffer.AsSpan(0, pending.Filled);
        if ((header.Flags & RecordLayout.TlsPadded) != 0 && !Unpad(ref bytes, ref header))
        {
            return;
        }
        Send(header, Event(header, pending.Buffer.AsMemory(0, bytes.Length), bytes.Length, copyFailed: pending.CopyFailed && pending.Filled == 0));
    }

    private AgentEvent Event(in TlsRecordHeader header, ReadOnlyMemory<byte> bytes, long captured, bool copyFailed = false)
    {
        var direction = header.TlsKind switch
        {
            RecordLayout.TlsRead => TlsDirection.Read,
            RecordLayout.TlsWrite => TlsDirection.Write,
            _ => TlsDirection.Handshake,
        };
        var payload = new TlsPayload(direction, bytes, header.Length)
        {
            ConnectionId = header.Connection,
            Uid = header.Uid,
            LatencyNs = header.EndNs > header.StartNs ? (long)(header.EndNs - header.StartNs) : 0,
            Library = _library(header.Cookie),
        };
        if (direction != TlsDirection.Handshake)
        {
            // No bytes at all (a cap of 0, a failed copy, a call cut before its first piece): data is null, not "".
            payload.HasBytes = !copyFailed && (captured > 0 || header.Length == 0);
            payload.BytesLost = Math.Max(0, header.Length - captured);
            if (header.CallCaptured < header.Length)
            {
                _counters.TruncatedCalls.Add();
                _counters.TruncatedBytes.Add(header.Length - header.CallCaptured);
            }
        }
        return new AgentEvent(_clock.ToEpoch(header.EndNs), EventSources.Ssl, (int)header.Pid, (int)header.Tid, _comms.Get(header.Comm), payload);
    }

    private sealed class Waiting(long since, bool oneWay)
    {
        public long Since { get; } = since;

        /// <summary>An AEAD context's records: joined with the other direction by socket once it is known.</summary>
        public bool OneWay { get; } = oneWay;

        public List<AgentEvent> Events { get; } = [];
    }

    private sealed class Pending(TlsRecordHeader header, byte[] buffer)
    {
        public TlsRecordHeader Header { get; } = header;

        public byte[] Buffer { get; } = buffer;

        public int Filled { get; private set; }

        public bool CopyFailed { get; private set; }

        /// <summary>A piece did not follow the previous one: nothing after the gap can be placed.</summary>
        public bool Broken { get; private set; }

        public long LastSeen { get; private set; } = Environment.TickCount64;

        public void Append(in TlsRecordHeader piece, ReadOnlySpan<byte> bytes)
        {
            LastSeen = Environment.TickCount64;
            if ((piece.Flags & RecordLayout.TlsCopyFailed) != 0)
            {
                CopyFailed = true;
                Broken = true;
                return;
            }
            if (Broken || (long)piece.Offset != Filled || Filled + bytes.Length > Buffer.Length)
            {
                Broken = true;
                return;
            }
            bytes.CopyTo(Buffer.AsSpan(Filled));
            Filled += bytes.Length;
        }
    }
}
