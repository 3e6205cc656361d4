using System.Text;
using AgentSight.Contracts;
using AgentSight.Host.Capture;

namespace AgentSight.Tests.Capture;

/// <summary>How TLS records become <c>ssl</c> events: one event per call, pieces joined, cuts and losses said.</summary>
public sealed class TlsDecoderTests
{
    private readonly List<AgentEvent> _events = [];
    private readonly TlsCounters _counters = new();
    private readonly BootClock _clock = new();

    private TlsDecoder Decoder() => new(_clock, cookie => cookie == 1 ? "/usr/lib/x86_64-linux-gnu/libssl.so.3" : null, new CommNames(), _events.Add, _counters);

    private static TlsPayload Payload(AgentEvent evt) => Assert.IsType<TlsPayload>(evt.Data);

    [Fact]
    public void A_call_in_one_record_is_one_event_with_every_field()
    {
        var decoder = Decoder();
        var text = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n"u8;

        decoder.OnRecord(Records.Tls(RecordLayout.TlsRead, RecordLayout.TlsFirst | RecordLayout.TlsLast, text, text.Length));

        var evt = Assert.Single(_events);
        var payload = Payload(evt);
        Assert.Equal(("ssl", 4242, 4250, "python3"), (evt.Source, evt.Pid, evt.Tid, evt.Comm));
        Assert.Equal(TlsDirection.Read, payload.Direction);
        Assert.Equal(text.ToArray(), payload.Bytes.ToArray());
        Assert.Equal((long)text.Length, payload.Length);
        Assert.Equal((0x55d1c2a3b4c0UL, 1000u, 250_000L), (payload.ConnectionId, payload.Uid!.Value, payload.LatencyNs));
        Assert.Equal("/usr/lib/x86_64-linux-gnu/libssl.so.3", payload.Library);
        Assert.False(payload.Truncated);
        Assert.Equal(_clock.ToEpoch(1_250_000), evt.Timestamp);
    }

    [Fact]
    public void Pieces_of_one_large_write_become_one_event_with_every_byte_in_order()
    {
        var decoder = Decoder();
        var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i => $"{i:D6}|")));
        var chunk = RecordLayout.TlsChunk;

        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            var length = Math.Min(chunk, data.Length - offset);
            var flags = (byte)((offset == 0 ? RecordLayout.TlsFirst : 0) | (offset + length == data.Length ? RecordLayout.TlsLast : 0));
            decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, flags, data.AsSpan(offset, length), data.Length, (ulong)offset));
        }

        var evt = Assert.Single(_events);
        Assert.Equal(data, Payload(evt).Bytes.ToArray());
        Assert.Equal(TlsDirection.Write, Payload(evt).Direction);
        Assert.Equal(0, decoder.PendingCalls);
    }

    [Fact]
    public void Pieces_of_two_threads_interleaved_stay_apart()
    {
        var decoder = Decoder();
        var a = new byte[RecordLayout.TlsChunk + 10];
        var b = new byte[RecordLayout.TlsChunk + 20];
        a.AsSpan().Fill((byte)'a');
        b.AsSpan().Fill((byte)'b');

        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, RecordLayout.TlsFirst, a.AsSpan(0, RecordLayout.TlsChunk), a.Length, tid: 1, start: 10));
        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, RecordLayout.TlsFirst, b.AsSpan(0, RecordLayout.TlsChunk), b.Length, tid: 2, start: 20));
        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, RecordLayout.TlsLast, b.AsSpan(RecordLayout.TlsChunk), b.Length, RecordLayout.TlsChunk, tid: 2, start: 20));
        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, RecordLayout.TlsLast, a.AsSpan(RecordLayout.TlsChunk), a.Length, RecordLayout.TlsChunk, tid: 1, start: 10));

        Assert.Equal([b, a], _events.Select(e => Payload(e).Bytes.ToArray()));
    }

    [Fact]
    public void A_call_cut_at_the_capture_cap_says_how_many_bytes_are_missing()
    {
        var decoder = Decoder();
        var captured = new byte[1000];

        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, RecordLayout.TlsFirst | RecordLayout.TlsLast, captured, length: 5000, callCaptured: 1000));

        var payload = Payload(Assert.Single(_events));
        Assert.True(payload.Truncated);
        Assert.Equal((5000L, 4000L, 1000), (payload.Length, payload.BytesLost, payload.Bytes.Length));
        Assert.Equal((1L, 4000L), (_counters.TruncatedCalls.Value, _counters.TruncatedBytes.Value));
    }

    [Fact]
    public void A_call_stopped_by_a_full_ring_keeps_what_arrived_and_counts_the_rest_as_lost()
    {
        var decoder = Decoder();
        var first = new byte[RecordLayout.TlsChunk];
        var total = RecordLayout.TlsChunk * 3;

        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, RecordLayout.TlsFirst, first, total));
        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, RecordLayout.TlsLast | RecordLayout.TlsAborted, [], total));

        var payload = Payload(Assert.Single(_events));
        Assert.Equal(((long)total, (long)total - first.Length), (payload.Length, payload.BytesLost));
        Assert.Equal(1, _counters.IncompleteCalls.Value);
    }

    [Fact]
    public void A_call_whose_last_piece_never_comes_is_sent_by_the_next_call_of_its_thread_or_by_the_flush()
    {
        var decoder = Decoder();
        var piece = new byte[RecordLayout.TlsChunk];

        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, RecordLayout.TlsFirst, piece, piece.Length * 2, tid: 7, start: 1));
        decoder.OnRecord(Records.Tls(RecordLayout.TlsRead, RecordLayout.TlsFirst | RecordLayout.TlsLast, "next"u8, 4, tid: 7, start: 2));
        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, RecordLayout.TlsFirst, piece, piece.Length * 2, tid: 8, start: 3));
        decoder.FlushStale(TimeSpan.Zero);

        Assert.Equal([TlsDirection.Write, TlsDirection.Read, TlsDirection.Write], _events.Select(e => Payload(e).Direction));
        Assert.Equal([(long)piece.Length, 0, piece.Length], _events.Select(e => Payload(e).BytesLost));
        Assert.Equal(2, _counters.IncompleteCalls.Value);
    }

    [Fact]
    public void A_handshake_has_no_data_and_a_failed_copy_says_data_null()
    {
        var decoder = Decoder();

        decoder.OnRecord(Records.Tls(RecordLayout.TlsHandshake, RecordLayout.TlsFirst | RecordLayout.TlsLast, [], 1));
        decoder.OnRecord(Records.Tls(RecordLayout.TlsRead, RecordLayout.TlsFirst | RecordLayout.TlsLast | RecordLayout.TlsCopyFailed, [], 300));

        var handshake = Payload(_events[0]);
        Assert.Equal((TlsDirection.Handshake, false, 1L, false), (handshake.Direction, handshake.HasBytes, handshake.Length, handshake.Truncated));
        var failed = Payload(_events[1]);
        Assert.Equal((false, 300L), (failed.HasBytes, failed.BytesLost));
        Assert.Contains("\"data\":null", AgentEventJson.ToJson(_events[1]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_too_short_or_of_another_kind_is_counted_not_thrown()
    {
        var decoder = Decoder();
        var good = Records.Tls(RecordLayout.TlsRead, RecordLayout.TlsFirst | RecordLayout.TlsLast, "x"u8, 1);
        var lying = (byte[])good.Clone();
        lying[64] = 0xff; // captured: far more than the record holds

        decoder.OnRecord(good.AsSpan(0, 20));
        decoder.OnRecord(lying);

        Assert.Empty(_events);
        Assert.Equal(2, _counters.BadRecords.Value);
    }
}
