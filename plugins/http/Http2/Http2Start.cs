using AgentSight.Contracts;
using AgentSight.Plugins.Common.Buffers;

namespace AgentSight.Plugins.Http.Http2;

/// <summary>
/// Decides whether a connection not yet known as HTTP/1 is HTTP/2: its first bytes in one direction are the client
/// preface (possibly cut across writes: held until it is whole or proves not to be), or, for a connection seen from
/// its middle, a read or write starts on frames (<see cref="Http2Detector.LooksLikeFrames"/>).
/// </summary>
internal sealed class Http2Start
{
    /// <summary>With fewer bytes than this, a preface prefix (<c>P</c>, <c>PR</c>) could still be an HTTP/1 method.</summary>
    private const int Decisive = 3;

    private readonly ByteBuffer _bytes = new();
    private readonly List<AgentEvent> _held = [];

    private Http2Start(bool isWrite) => IsWrite = isWrite;

    /// <summary>The direction whose preface is being gathered.</summary>
    public bool IsWrite { get; }

    /// <summary>
    /// Looks at one read or write of <paramref name="connection"/> before HTTP/1 does. True when HTTP/2 took it
    /// (<paramref name="result"/> says what became of the event); false when HTTP/1 should parse it as usual.
    /// </summary>
    public static bool TryFeed(HttpConnection connection, HttpAnalyzer analyzer, MessageStream stream, AgentEvent evt, TlsPayload tls,
        out FeedResult result)
    {
        result = FeedResult.Raw;
        var data = tls.HasBytes ? tls.Bytes.Span : default;
        var lost = tls.HasBytes ? tls.BytesLost : Math.Max(0, tls.Length);
        if (connection.Http2Prelude is { } prelude)
        {
            if (prelude.IsWrite != stream.IsWrite)
            {
                return false;
            }
            prelude._bytes.Append(data);
            var match = Http2Detector.MatchPreface(prelude._bytes.Span);
            // A start of the preface cut by lost bytes is taken whole: its bytes are fixed, so the frame reader skips the
            // lost ones, where waiting for the rest would wait for bytes that never come.
            if (match == 0 && lost == 0)
            {
                prelude.Hold(analyzer, evt);
                result = FeedResult.Held;
                return true;
            }
            connection.Http2Prelude = null;
            if (match < 0)
            {
                // "PRI" and then not the preface: not HTTP/2 after all; what was held goes on as it was.
                foreach (var held in prelude._held)
                {
                    analyzer.EmitRaw(held);
                }
                prelude._bytes.Release();
                return false;
            }
            var http2 = connection.StartHttp2(Http2Connection.FromPreface(connection, analyzer, stream.IsWrite), evt);
            Consume(analyzer, prelude._held.Count);
            var before = prelude._bytes.Length - data.Length;
            http2.Feed(stream.IsWrite, evt, prelude._bytes.Span[..before], 0);
            result = http2.Feed(stream.IsWrite, evt, data, lost);
            prelude._bytes.Release();
            return true;
        }

        if (!stream.CanSwitchToHttp2)
        {
            return false;
        }
        var pending = stream.PendingStart;
        var joined = pending.IsEmpty ? data : [.. pending, .. data];
        var preface = Http2Detector.MatchPreface(joined);
        // The start of the preface followed by lost bytes: waiting for the rest would wait for bytes that never come.
        if (preface == 1 || (preface == 0 && joined.Length >= Decisive && lost > 0))
        {
            Consume(analyzer, stream.DropForHttp2());
            var http2 = connection.StartHttp2(Http2Connection.FromPreface(connection, analyzer, stream.IsWrite), evt);
            if (!pending.IsEmpty)
            {
                http2.Feed(stream.IsWrite, evt, joined[..^data.Length], 0);
            }
            result = http2.Feed(stream.IsWrite, evt, data, lost);
            return true;
        }
        if (preface == 0 && joined.Length >= Decisive)
        {
            var start = new Http2Start(stream.IsWrite);
            // The events the HTTP/1 side held for this start line are held here now.
            foreach (var held in stream.TakeHeldForHttp2())
            {
                start._held.Add(held);
            }
            start._bytes.Append(joined);
            start.Hold(analyzer, evt);
            connection.Http2Prelude = start;
            result = FeedResult.Held;
            return true;
        }
        // Whose frames these are, as the joined connection will take them (the traced process is the client unless the
        // role is set): a frame that side cannot send is no place to join. Without this, zeros and small numbers in the
        // middle of a frame (a SETTINGS payload) passed for a DATA frame on a server's (even) stream, and every frame
        // after that boundary was misread. A traced server that pushes joins on a later read instead.
        var role = analyzer.Config.Role;
        var fromClient = role == HttpRole.Server ? !stream.IsWrite : stream.IsWrite;
        if (preface < 0 && pending.IsEmpty && !data.IsEmpty && Http2Detector.LooksLikeFrames(data, fromClient))
        {
            var http2 = connection.StartHttp2(Http2Connection.Joined(connection, analyzer, stream.IsWrite, analyzer.Config.Role), evt);
            result = http2.Feed(evt, tls);
            return true;
        }
        return false;
    }

    /// <summary>Gives the held events back, untouched (the connection was restarted or cut while the preface was incomplete).</summary>
    public void Release(HttpAnalyzer analyzer)
    {
        foreach (var held in _held)
        {
            analyzer.EmitRaw(held);
        }
        _held.Clear();
        _bytes.Release();
    }

    private void Hold(HttpAnalyzer analyzer, AgentEvent evt)
    {
        if (!analyzer.KeepRaw)
        {
            _held.Add(evt);
        }
    }

    private static void Consume(HttpAnalyzer analyzer, int held)
    {
        if (held > 0)
        {
            analyzer.Counters.RawConsumed.Add(held);
        }
    }
}
