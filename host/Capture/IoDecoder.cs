using System.Runtime.InteropServices;
using AgentSight.Contracts;

namespace AgentSight.Host.Capture;

/// <summary>
/// Turns the io program's records into <c>socket</c> events (plaintext TCP and named UNIX sockets, read by the http
/// analyzer like <c>ssl</c> events) and <c>stdio</c> events (pipes, FIFOs, ttys, socket pairs): one event per system
/// call. A call larger than one record arrives as consecutive pieces from one thread; they are joined here, as
/// <see cref="TlsDecoder"/> joins TLS pieces.
/// </summary>
internal sealed class IoDecoder : Bpf.IRingBufferConsumer
{
    /// <summary><c>TlsPayload.Library</c> of <c>socket</c> events.</summary>
    public const string SocketLibrary = "socket";

    private static readonly int HeaderSize = Marshal.SizeOf<IoRecordHeader>();

    private readonly BootClock _clock;
    private readonly CommNames _comms;
    private readonly Action<AgentEvent>? _socket;
    private readonly Action<AgentEvent>? _stdio;
    private readonly IoCounters _counters;
    private readonly Dictionary<uint, Pending> _pending = [];

    public IoDecoder(BootClock clock, CommNames comms, Action<AgentEvent>? socket, Action<AgentEvent>? stdio, IoCounters counters)
    {
        _clock = clock;
        _comms = comms;
        _socket = socket;
        _stdio = stdio;
        _counters = counters;
    }

    /// <summary>Calls being joined right now.</summary>
    public int PendingCalls => _pending.Count;

    /// <summary>The <c>stdio</c> kind of a record's descriptor, or null for a socket.</summary>
    public static string? StdioKind(byte ioKind) => ioKind switch
    {
        RecordLayout.IoPipe => "pipe",
        RecordLayout.IoFifo => "fifo",
        RecordLayout.IoTty => "tty",
        RecordLayout.IoUnixPair => "unix",
        _ => null,
    };

    public void OnRecord(ReadOnlySpan<byte> record)
    {
        if (record.Length < HeaderSize)
        {
            _counters.BadRecords.Add();
            return;
        }
        var header = MemoryMarshal.Read<IoRecordHeader>(record);
        var payload = record[HeaderSize..];
        if (header.RecordKind != RecordLayout.RecordIo || header.Captured > payload.Length || header.CallCaptured > RecordLayout.IoMaxCaptureLimit
            || header.IoKind is < RecordLayout.IoTcp or > RecordLayout.IoUnixPair || header.Offset + header.Captured > header.CallCaptured)
        {
            _counters.BadRecords.Add();
            return;
        }
        payload = payload[..(int)header.Captured];
        var first = (header.Flags & RecordLayout.TlsFirst) != 0;
        var last = (header.Flags & RecordLayout.TlsLast) != 0;
        if (first && last)
        {
            if (_pending.Remove(header.Tid, out var stale))
            {
                Finish(stale);
            }
            Emit(header, payload.ToArray(), (header.Flags & RecordLayout.TlsCopyFailed) != 0);
            return;
        }
        if (first || !_pending.TryGetValue(header.Tid, out var pending))
        {
            if (_pending.Remove(header.Tid, out var stale))
            {
                Finish(stale);
            }
            if (!first)
            {
                // The call's first pieces were lost (the ring was full): what follows has nothing to join.
                _counters.IncompleteCalls.Add();
                return;
            }
            pending = new Pending(header);
            _pending[header.Tid] = pending;
        }
        pending.Add(header, payload);
        if (last)
        {
            _pending.Remove(header.Tid);
            Finish(pending);
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
    }

    private void Finish(Pending pending)
    {
        if (pending.Filled < pending.Header.CallCaptured)
        {
            _counters.IncompleteCalls.Add();
        }
        Emit(pending.Header, pending.Buffer.AsMemory(0, pending.Filled), pending.CopyFailed && pending.Filled == 0);
    }

    private void Emit(in IoRecordHeader header, ReadOnlyMemory<byte> bytes, bool copyFailed)
    {
        var lost = Math.Max(0, header.Length - bytes.Length);
        if (header.CallCaptured < header.Length)
        {
            _counters.TruncatedCalls.Add();
        }
        var time = _clock.ToEpoch(header.EndNs);
        var comm = _comms.Get(header.Comm);
        var kind = StdioKind(header.IoKind);
        if (kind is null)
        {
            if (_socket is null)
            {
                return;
            }
            var payload = new TlsPayload(header.Direction == RecordLayout.IoWrite ? TlsDirection.Write : TlsDirection.Read, bytes, header.Length)
            {
                ConnectionId = header.Stream,
                Uid = header.Uid,
                LatencyNs = header.EndNs > header.StartNs ? (long)(header.EndNs - header.StartNs) : 0,
                Library = SocketLibrary,
                Fd = header.Fd,
                BytesLost = lost,
                HasBytes = !copyFailed,
            };
            _socket(new AgentEvent(time, EventSources.Socket, (int)header.Pid, (int)header.Tid, comm, payload));
            return;
        }
        if (_stdio is null)
        {
            return;
        }
        var stdio = new StdioPayload(header.Direction == RecordLayout.IoWrite ? IoDirection.Write : IoDirection.Read, header.Fd, bytes, header.Length)
        {
            Kind = kind,
            StreamId = header.Stream,
            PeerPid = header.PeerPid == 0 ? null : (int)header.PeerPid,
            BytesLost = lost,
        };
        _stdio(new AgentEvent(time, EventSources.Stdio, (int)header.Pid, (int)header.Tid, comm, stdio));
    }

    /// <summary>A call whose pieces are being joined.</summary>
    private sealed class Pending(IoRecordHeader header)
    {
        public IoRecordHeader Header { get; } = header;

        public byte[] Buffer { get; } = new byte[header.CallCaptured];

        public int Filled { get; private set; }

        public bool CopyFailed { get; private set; }

        public long LastSeen { get; private set; } = Environment.TickCount64;

        public void Add(in IoRecordHeader piece, ReadOnlySpan<byte> bytes)
        {
            LastSeen = Environment.TickCount64;
            CopyFailed |= (piece.Flags & RecordLayout.TlsCopyFailed) != 0;
            // Pieces arrive in order; a copy that failed leaves a gap, and the bytes after it would be misplaced.
            if (piece.Offset != (ulong)Filled || CopyFailed)
            {
                return;
            }
            bytes.CopyTo(Buffer.AsSpan(Filled));
            Filled += bytes.Length;
        }
    }
}
