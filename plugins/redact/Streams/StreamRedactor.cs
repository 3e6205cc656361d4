using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Streams;

/// <summary>
/// Redacts byte streams that arrive in pieces (raw TLS reads and writes, streamed HTTP bodies) so that a secret cut
/// by a read boundary is still found, and replaced on both sides of the cut.
/// </summary>
/// <remarks>
/// <para>Each piece is held until the next piece of its stream arrives (or <c>hold_ms</c> passes, or the run ends),
/// then scanned together with that next piece and with the end of what was emitted before it. A secret that runs on
/// past the held piece is remembered (how it continues: to the end of the line, of the token, of the PEM block…), so
/// its rest is replaced in the next piece even when that piece alone would not show it.</para>
/// <para>Bytes are scanned as Latin-1, one character per byte: the scan needs no UTF-8 decoding, positions are byte
/// offsets, and invalid UTF-8 or binary data is scanned like anything else.</para>
/// </remarks>
internal sealed class StreamRedactor
{
    /// <summary>How much of the next piece is scanned with the held one: enough to see any secret's end.</summary>
    private const int RightContext = 4096;

    /// <summary>How close to the end of a piece a trigger must be to be searched again with the next one.</summary>
    private const int LookBack = 128;

    /// <summary>A stream with nothing held is forgotten after this long without a read (pipeline time).</summary>
    private const long IdleNs = 10L * 60 * 1_000_000_000;

    private readonly Dictionary<StreamKey, StreamState> _states = [];

    /// <summary>Streams from least to most recently read, for eviction in constant time.</summary>
    private readonly LinkedList<StreamKey> _recency = [];
    private readonly SecretScanner _scanner;
    private readonly long _holdNs;
    private readonly int _maxStreams;
    private readonly Action<int> _found;
    private readonly Counter _evicted;
    private readonly Counter _changed;
    private readonly List<SecretSpan> _spans = [];
    private readonly List<(int Start, int End, int Rule)> _merged = [];
    private readonly ArrayBufferWriter<byte> _output = new();
    private char[] _window = new char[8192];

    public StreamRedactor(SecretScanner scanner, long holdNs, int maxStreams, Action<int> found, Counter evicted, Counter changed)
    {
        _scanner = scanner;
        _holdNs = holdNs;
        _maxStreams = maxStreams;
        _found = found;
        _evicted = evicted;
        _changed = changed;
    }

    /// <summary>Streams currently known (for tests).</summary>
    public int StreamCount => _states.Count;

    /// <summary>Pieces currently held (for tests).</summary>
    public int HeldCount => _states.Values.Count(s => s.Held is not null);

    /// <summary>Takes the next piece of a stream: emits the piece held before it, and holds this one.</summary>
    public void Add(StreamKey key, AgentEvent evt, ReadOnlyMemory<byte> bytes, long now, IEventOutput output)
    {
        if (!_states.TryGetValue(key, out var state))
        {
            if (_states.Count >= _maxStreams)
            {
                EvictOldest(output);
            }
            state = new StreamState { Recency = _recency.AddLast(key) };
            _states.Add(key, state);
        }
        else if (state.Recency!.Next is not null)
        {
            _recency.Remove(state.Recency);
            _recency.AddLast(state.Recency);
        }
        if (state.Held is not null)
        {
            Emit(state, bytes.Span, output);
        }
        state.Held = evt;
        state.HeldBytes = bytes;
        state.HeldSince = now;
        state.LastSeen = now;
        if (_holdNs == 0)
        {
            Emit(state, [], output);
        }
    }

    /// <summary>Emits pieces held for <c>hold_ms</c> or longer, and forgets long-idle streams.</summary>
    public void Expire(long now, IEventOutput output)
    {
        List<StreamKey>? idle = null;
        foreach (var (key, state) in _states)
        {
            if (state.Held is not null)
            {
                if (now - state.HeldSince >= _holdNs)
                {
                    Emit(state, [], output);
                }
            }
            else if (now - state.LastSeen >= IdleNs)
            {
                (idle ??= []).Add(key);
            }
        }
        foreach (var key in idle ?? [])
        {
            Forget(key);
        }
    }

    /// <summary>Emits every held piece, oldest first (at shutdown).</summary>
    public void FlushAll(IEventOutput output)
    {
        foreach (var state in _states.Values.Where(s => s.Held is not null).OrderBy(s => s.HeldSince).ToList())
        {
            Emit(state, [], output);
        }
    }

    /// <summary>Emits the held piece of one stream now, if any (its exchange has moved on).</summary>
    public void Flush(StreamKey key, IEventOutput output)
    {
        if (_states.TryGetValue(key, out var state))
        {
            if (state.Held is not null)
            {
                Emit(state, [], output);
            }
            Forget(key);
        }
    }

    private void EvictOldest(IEventOutput output)
    {
        var oldest = _recency.First!.Value;
        var state = _states[oldest];
        if (state.Held is not null)
        {
            Emit(state, [], output);
        }
        Forget(oldest);
        _evicted.Add();
    }

    private void Forget(StreamKey key)
    {
        if (_states.Remove(key, out var state))
        {
            _recency.Remove(state.Recency!);
        }
    }

    /// <summary>Scans [end of emitted data | held piece | start of the next piece], replaces in the held piece, emits it.</summary>
    private void Emit(StreamState state, ReadOnlySpan<byte> next, IEventOutput output)
    {
        var held = state.HeldBytes.Span;
        var right = next[..Math.Min(next.Length, RightContext)];
        var regionStart = state.LeftLength;
        var regionEnd = regionStart + held.Length;
        var total = regionEnd + right.Length;
        if (_window.Length < total)
        {
            _window = new char[Math.Max(total, _window.Length * 2)];
        }
        var text = _window.AsSpan(0, total);
        Encoding.Latin1.GetChars(state.Left.AsSpan(0, state.LeftLength), text);
        Encoding.Latin1.GetChars(held, text[regionStart..]);
        Encoding.Latin1.GetChars(right, text[regionEnd..]);

        _spans.Clear();
        if (state.FixedRemaining > 0)
        {
            var end = Math.Min(total, regionStart + state.FixedRemaining);
            var remaining = regionStart + state.FixedRemaining - end;
            _spans.Add(new SecretSpan(regionStart, end, state.FixedRule, remaining > 0, Continuation.Fixed(remaining)));
        }
        if (state.Open is { } open)
        {
            var end = SecretScanner.Continue(text, regionStart, open, out var stillOpen);
            _spans.Add(new SecretSpan(regionStart, end, state.OpenRule, stillOpen.Kind != ContinueKind.None, stillOpen));
        }
        // Triggers in the emitted data were searched when it was held, and a secret of theirs running on into this
        // piece is in Open or FixedRemaining. Searched again: a trigger cut by the boundary, and the last trigger
        // seen near it, whose check may have needed more text than there was.
        var searchStart = regionStart - (_scanner.LongestTrigger - 1);
        if (state.ResumeBack > 0)
        {
            searchStart = Math.Min(searchStart, regionStart - state.ResumeBack);
        }
        var lastHit = _scanner.Scan(text, Math.Max(0, searchStart), regionEnd,
            new ScanContext(EndIsOpen: true, StartIsLineStart: state.LeftLength == 0), _spans);
        state.ResumeBack = lastHit >= 0 && regionEnd - lastHit <= LookBack ? regionEnd - lastHit : 0;
        RememberOpen(state, regionEnd, total);
        SpanMerger.Merge(_spans, _scanner.Order, _merged);
        var redacted = TextRedaction.Apply(held, regionStart, _merged, _scanner.Rules, _output, _found);

        state.AppendLeft(held);
        var evt = state.Held!;
        state.Held = null;
        state.HeldBytes = default;
        if (redacted is not null)
        {
            SetBytes(evt, redacted);
            _changed.Add();
        }
        output.Emit(evt);
    }

    /// <summary>What of the secrets found runs on past the held piece, for the next scan of this stream.</summary>
    private void RememberOpen(StreamState state, int regionEnd, int total)
    {
        state.Open = null;
        state.FixedRemaining = 0;
        foreach (var span in _spans)
        {
            if (span.Start > regionEnd || span.End < regionEnd)
            {
                continue;
            }
            if (span.Open)
            {
                if (span.Continue.Kind == ContinueKind.Fixed || span.Continue.Kind == ContinueKind.None)
                {
                    // A pattern with no known continuation: replace at least the part already seen.
                    SetFixed(state, span.End - regionEnd + span.Continue.Remaining, span.Rule);
                }
                else if (state.Open is null || span.Start < regionEnd)
                {
                    state.Open = span.Continue;
                    state.OpenRule = span.Rule;
                }
            }
            else if (span.End > regionEnd && span.End <= total)
            {
                SetFixed(state, span.End - regionEnd, span.Rule);
            }
        }
    }

    private static void SetFixed(StreamState state, int remaining, int rule)
    {
        if (remaining > state.FixedRemaining)
        {
            state.FixedRemaining = remaining;
            state.FixedRule = rule;
        }
    }

    private static void SetBytes(AgentEvent evt, byte[] bytes)
    {
        switch (evt.Data)
        {
            case TlsPayload tls:
                tls.Bytes = bytes;
                break;
            case HttpBodyPayload body:
                body.Bytes = bytes;
                break;
            case JsonPayload json:
                json.Fields["data"] = JsonValue.Create(TlsPayload.FormatData(bytes));
                break;
        }
    }
}
