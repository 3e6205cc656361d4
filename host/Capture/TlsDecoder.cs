using System.Runtime.InteropServices;
using AgentSight.Contracts;

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
/// </remarks>
internal sealed class TlsDecoder : Bpf.IRingBufferConsumer
{
    private static readonly int HeaderSize = Marshal.SizeOf<TlsRecordHeader>();

    private readonly BootClock _clock;
    private readonly Func<ulong, string?> _library;
    private readonly CommNames _comms;
    private readonly Action<AgentEvent> _emit;
    private readonly TlsCounters _counters;
    private readonly Dictionary<uint, Pending> _pending = [];

    public TlsDecoder(BootClock clock, Func<ulong, string?> library, CommNames comms, Action<AgentEvent> emit, TlsCounters counters)
    {
        _clock = clock;
        _library = library;
        _comms = comms;
        _emit = emit;
        _counters = counters;
    }

    /// <summary>Calls being joined right now.</summary>
    public int PendingCalls => _pending.Count;

    public void OnRecord(ReadOnlySpan<byte> record)
    {
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
            _emit(Event(header, ReadOnlyMemory<byte>.Empty, captured: 0));
            return;
        }

        var first = (header.Flags & RecordLayout.TlsFirst) != 0;
        var last = (header.Flags & RecordLayout.TlsLast) != 0;
        var aborted = (header.Flags & RecordLayout.TlsAborted) != 0;

        if (first && last && !aborted)
        {
            // Almost every call: one record, one copy out of the ring.
            Finish(_pending.Remove(header.Tid, out var stale) ? stale : null);
            _emit(Event(header, payload.ToArray(), payload.Length, copyFailed: (header.Flags & RecordLayout.TlsCopyFailed) != 0));
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
                _emit(Event(header, ReadOnlyMemory<byte>.Empty, captured: 0));
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
        _emit(Event(pending.Header, pending.Buffer.AsMemory(0, pending.Filled), pending.Filled, copyFailed: pending.CopyFailed && pending.Filled == 0));
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
