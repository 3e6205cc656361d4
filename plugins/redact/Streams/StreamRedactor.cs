using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Redact.Rules;
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
/// offsets, and invalid UTF-8 or binary data is scanned like anything else. They are also scanned decoded (JSON, URL
/// escapes: <see cref="ViewScanner"/>), and a stream of JSON events (SSE, NDJSON) has each key's string values read
/// joined across events, so a key streamed a few characters per event is found and replaced in every piece.</para>
/// <para>A stream whose state is released to stay under <c>max_streams</c> is not forgotten: its state moves to a
/// second list of the same size, and comes back with the stream's next read. Only when that list overflows is a
/// state lost; from then on the first read of a stream not known, unless it starts a message, is taken to continue
/// a secret of unknown kind and replaced to its first line end or quote: a lost state fails closed.</para>
/// </remarks>
internal sealed class StreamRedactor
{
    /// <summary>How much of the next piece is scanned with the held one: enough to see any secret's end.</summary>
    private const int RightContext = 4096;

    /// <summary>How close to the end of a piece a trigger must be to be searched again with the next one.</summary>
    private const int LookBack = 128;

    /// <summary>A stream with nothing held is forgotten after this long without a read (pipeline time).</summary>
    private const long IdleNs = 10L * 60 * 1_000_000_000;

    /// <summary>What shows that a stream carries JSON events (SSE data lines, NDJSON, a JSON array of chunks, their media types).</summary>
    private static readonly string[] ContentMarkers =
        ["data: {", "data:{", "}\n{", "}\r\n{", ",\r\n{", "text/event-stream", "application/x-ndjson", "application/jsonl"];

    /// <summary>How a message starts: a read starting so begins a stream anew, not in the middle of a secret.</summary>
    private static readonly string[] MessageStarts =
        ["GET ", "POST ", "PUT ", "PATCH ", "DELETE ", "HEAD ", "OPTIONS ", "CONNECT ", "TRACE ", "HTTP/", "PRI * HTTP/2"];

    private readonly Dictionary<StreamKey, StreamState> _states = [];

    /// <summary>Streams from least to most recently read, for eviction in constant time.</summary>
    private readonly LinkedList<StreamKey> _recency = [];

    /// <summary>States of streams evicted from <see cref="_states"/>, kept (without a held read) until their next read.</summary>
    private readonly Dictionary<StreamKey, StreamState> _released = [];
    private readonly LinkedList<StreamKey> _releasedOrder = [];
    private readonly SecretScanner _scanner;
    private readonly ViewScanner _views;
    private readonly ContentGroups _groups = new();
    private readonly JsonValueReader _ahead = new();
    private readonly List<SecretSpan> _inView = [];
    private readonly List<SecretSpan> _decodedSpans = [];
    private readonly List<(int Start, int End)> _ranges = [];
    private readonly List<int> _afterHeld = [];
    private readonly Dictionary<string, (Continuation, int)> _contentOpen = new(StringComparer.Ordinal);
    private readonly int _lostRule;
    private readonly Counter _forgotten;
    private bool _lostAny;
    private readonly long _holdNs;
    private readonly int _maxStreams;
    private readonly Action<int> _found;
    private readonly Counter _evicted;
    private readonly Counter _changed;
    private readonly List<SecretSpan> _spans = [];
    private readonly List<(int Start, int End, int Rule)> _merged = [];
    private readonly ArrayBufferWriter<byte> _output = new();
    private char[] _window = new char[8192];

    /// <summary>The tails of the stream being scanned, put before each key's new values (<see cref="ContentGroups.BeforeFirstValue"/>).</summary>
    private Dictionary<string, StreamState.Tail>? _tailsOfScan;

    public StreamRedactor(SecretScanner scanner, long holdNs, int maxStreams, Action<int> found, Counter evicted, Counter changed, Counter forgotten)
    {
        _scanner = scanner;
        _views = new ViewScanner(scanner);
        // A key's earlier values are context only for its new ones: keys without a value in this scan are not joined.
        _groups.BeforeFirstValue = (name, view) =>
        {
            if (_tailsOfScan is { } tails && tails.TryGetValue(name, out var tail))
            {
                view.AppendUnmapped(tail.Text);
            }
        };
        _forgotten = forgotten;
        _lostRule = scanner.Rules.ToList().FindIndex(r => r.Id == LostStateRule.Name);
        _holdNs = holdNs;
        _maxStreams = maxStreams;
        _found = found;
        _evicted = evicted;
        _changed = changed;
    }

    /// <summary>Streams currently known (for tests).</summary>
    public int StreamCount => _states.Count;

    /// <summary>Pieces currently held, waiting for the next piece of their stream or for <c>hold_ms</c> to pass.</summary>
    public int HeldCount { get; private set; }

    /// <summary>Streams released to stay under <c>max_streams</c> whose state is kept for their next read (for tests).</summary>
    public int ReleasedCount => _released.Count;

    /// <summary>
    /// Takes the next piece of a stream: emits the piece held before it, and holds this one. <paramref name="content"/>
    /// says the stream carries JSON events (a streamed body's SSE or NDJSON); <paramref name="fresh"/> whether this
    /// piece starts the stream (a body's first piece), when known.
    /// </summary>
    public void Add(StreamKey key, AgentEvent evt, ReadOnlyMemory<byte> bytes, long now, IEventOutput output, bool content = false, bool? fresh = null)
    {
        if (!_states.TryGetValue(key, out var state))
        {
            if (_states.Count >= _maxStreams)
            {
                EvictOldest(output);
            }
            if (_released.Remove(key, out var released))
            {
                _releasedOrder.Remove(released.Recency!);
                state = released;
                state.Recency = _recency.AddLast(key);
            }
            else
            {
                state = new StreamState { Recency = _recency.AddLast(key) };
                if (_lostAny && _lostRule >= 0 && !(fresh ?? StartsMessage(bytes.Span)))
                {
                    // This stream's state may have been lost while a secret was open in it: fail closed.
                    state.Open = Continuation.Of(ContinueKind.Unknown);
                    state.OpenRule = _lostRule;
                }
            }
            _states.Add(key, state);
        }
        else if (state.Recency!.Next is not null)
        {
            _recency.Remove(state.Recency);
            _recency.AddLast(state.Recency);
        }
        state.Content |= content;
        if (state.Held is not null)
        {
            Emit(state, bytes.Span, output);
        }
        state.Held = evt;
        HeldCount++;
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
            if (_states[key].HasOpenSecret)
            {
                Release(key);
            }
            else
            {
                Forget(key);
            }
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
        Release(oldest);
        _evicted.Add();
    }

    /// <summary>Moves a stream's state (nothing held) to the released list, dropping the oldest released one when full.</summary>
    private void Release(StreamKey key)
    {
        if (!_states.Remove(key, out var state))
        {
            return;
        }
        _recency.Remove(state.Recency!);
        if (_released.Count >= _maxStreams)
        {
            var oldest = _releasedOrder.First!;
            _releasedOrder.RemoveFirst();
            _released.Remove(oldest.Value);
            _lostAny = true;
            _forgotten.Add();
        }
        state.Recency = _releasedOrder.AddLast(key);
        _released[key] = state;
    }

    /// <summary>True when a read starts like an HTTP message, so it cannot continue a secret of an earlier read.</summary>
    private static bool StartsMessage(ReadOnlySpan<byte> bytes)
    {
        foreach (var start in MessageStarts)
        {
            if (bytes.Length >= start.Length && System.Text.Ascii.Equals(bytes[..start.Length], start))
            {
                return true;
            }
        }
        return false;
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
            // Decoded, the secret may go on past an escape that ends it as written.
            if (_views.Decoded(text) is { } decoded)
            {
                _inView.Clear();
                var from = decoded.FromBase(regionStart);
                var viewEnd = SecretScanner.Continue(decoded.Text, from, open, out var viewOpen);
                _inView.Add(new SecretSpan(from, viewEnd, state.OpenRule, viewOpen.Kind != ContinueKind.None, viewOpen));
                _views.MapInto(decoded, _inView, _spans);
            }
        }
        if (state.Pending is { Count: > 0 } pending)
        {
            foreach (var (start, end, rule) in pending)
            {
                _spans.Add(new SecretSpan(regionStart + start, regionStart + Math.Min(end, held.Length), rule, false, Continuation.None));
            }
            pending.Clear();
        }
        // Triggers in the emitted data were searched when it was held, and a secret of theirs running on into this
        // piece is in Open or FixedRemaining. Searched again: a trigger cut by the boundary, and the last trigger
        // seen near it, whose check may have needed more text than there was.
        var searchStart = regionStart - (_scanner.LongestTrigger - 1);
        if (state.ResumeBack > 0)
        {
            searchStart = Math.Min(searchStart, regionStart - state.ResumeBack);
        }
        var lastHit = _views.Scan(text, Math.Max(0, searchStart), regionEnd,
            new ScanContext(EndIsOpen: true, StartIsLineStart: state.LeftLength == 0), _spans);
        state.ResumeBack = lastHit >= 0 && regionEnd - lastHit <= LookBack ? regionEnd - lastHit : 0;
        RememberOpen(state, regionEnd, total);
        if (!state.Content && IsContent(text))
        {
            state.Content = true;
        }
        if (state.Content)
        {
            ScanContent(state, text, regionStart, regionEnd, total);
        }
        SpanMerger.Merge(_spans, _scanner.Order, _merged);
        var redacted = TextRedaction.Apply(held, regionStart, _merged, _scanner.Rules, _output, _found);

        state.AppendLeft(held);
        var evt = state.Held!;
        state.Held = null;
        HeldCount--;
        state.HeldBytes = default;
        if (redacted is not null)
        {
            SetBytes(evt, redacted);
            _changed.Add();
        }
        output.Emit(evt);
    }

    /// <summary>True when text holds JSON events (SSE data lines, NDJSON lines, a JSON array of chunks).</summary>
    private static bool IsContent(ReadOnlySpan<char> text)
    {
        foreach (var marker in ContentMarkers)
        {
            if (text.Contains(marker, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Reads the string values of the stream's JSON events in the held piece (and, ahead, in the next one), joins
    /// them by key after what the key had before (<see cref="StreamState.Tails"/>), and scans each key's joined
    /// values: a key streamed a few characters per event is found, and each of its pieces is replaced where it is.
    /// What runs on past the held piece is remembered: the ranges already seen in the next piece, and how a secret
    /// still open goes on in the key's next values.
    /// </summary>
    private void ScanContent(StreamState state, ReadOnlySpan<char> text, int regionStart, int regionEnd, int total)
    {
        _groups.Clear();
        _tailsOfScan = state.Tails;
        var reader = state.Reader ??= new JsonValueReader();
        reader.Read(text[regionStart..regionEnd], regionStart, _groups);
        _afterHeld.Clear();
        for (var i = 0; i < _groups.Count; i++)
        {
            _afterHeld.Add(_groups.View(i).Length);
        }
        if (total > regionEnd)
        {
            _ahead.CopyFrom(reader);
            _ahead.Read(text[regionEnd..total], regionEnd, _groups);
        }
        _contentOpen.Clear();
        var context = new ScanContext(EndIsOpen: true, StartIsLineStart: true);
        for (var i = 0; i < _groups.Count; i++)
        {
            if (!_groups.IsUsed(i))
            {
                continue;
            }
            var name = _groups.Name(i);
            var view = _groups.View(i);
            _inView.Clear();
            (Continuation Continue, int Rule) carry = default;
            var carried = state.ContentOpen is { } opens && opens.Remove(name, out carry);
            if (carried)
            {
                var (how, rule) = carry;
                var from = view.FromBase(regionStart);
                var end = SecretScanner.Continue(view.Text, from, how, out var still);
                _inView.Add(new SecretSpan(from, end, rule, still.Kind != ContinueKind.None, still));
                // Decoded, the secret may go on past an escape (\u0041) that ends it as written.
                if (_views.Decoded(view.Text) is { } decoded)
                {
                    _decodedSpans.Clear();
                    var decodedFrom = decoded.FromBase(from);
                    var decodedEnd = SecretScanner.Continue(decoded.Text, decodedFrom, how, out var decodedStill);
                    _decodedSpans.Add(new SecretSpan(decodedFrom, decodedEnd, rule, decodedStill.Kind != ContinueKind.None, decodedStill));
                    _views.MapInto(decoded, _decodedSpans, _inView);
                }
            }
            // The spans before this index continue a secret left open by earlier pieces: its trigger may no longer be
            // in the key's tail, so they are never left to be found again.
            var continued = _inView.Count;
            if (carried || _views.MayContainSecrets(view.Text))
            {
                _views.ScanView(view, 0, context, _inView);
            }
            var heldEnd = i < _afterHeld.Count ? _afterHeld[i] : 0;
            for (var s = 0; s < _inView.Count; s++)
            {
                var span = _inView[s];
                if (s >= continued && span.Start >= heldEnd)
                {
                    // Starts in the next piece's values: found again, trigger and all, when that piece is held.
                    continue;
                }
                _ranges.Clear();
                view.Map(span.Start, span.End, _ranges);
                foreach (var (start, end) in _ranges)
                {
                    _spans.Add(new SecretSpan(start, end, span.Rule, false, Continuation.None));
                    if (end > regionEnd)
                    {
                        (state.Pending ??= []).Add((Math.Max(start, regionEnd) - regionEnd, end - regionEnd, span.Rule));
                    }
                }
                if (span.Open)
                {
                    _contentOpen[name] = (span.Continue, span.Rule);
                }
            }
            // What this key's values were up to the end of the held piece: the context of the next scan.
            if (i < _afterHeld.Count && _afterHeld[i] > 0)
            {
                var known = state.Tails ??= new Dictionary<string, StreamState.Tail>(StringComparer.Ordinal);
                if (!known.TryGetValue(name, out var tail) && known.Count < StreamState.MaxTails)
                {
                    known[name] = tail = new StreamState.Tail();
                }
                tail?.Set(view.Text[.._afterHeld[i]]);
            }
        }
        // Secrets open in keys that had no value this time stay open for their next values.
        if (state.ContentOpen is { Count: > 0 } left)
        {
            foreach (var (name, carry) in left)
            {
                _contentOpen.TryAdd(name, carry);
            }
        }
        if (_contentOpen.Count > 0)
        {
            var opens = state.ContentOpen ??= new Dictionary<string, (Continuation, int)>(StringComparer.Ordinal);
            opens.Clear();
            foreach (var (name, carry) in _contentOpen)
            {
                opens[name] = carry;
            }
        }
        else
        {
            state.ContentOpen?.Clear();
        }
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
            case WebSocketMessagePayload message:
                message.Text = bytes;
                break;
            case StdioPayload stdio:
                stdio.Bytes = bytes;
                break;
            case JsonPayload json:
                json.Fields["data"] = JsonValue.Create(TlsPayload.FormatData(bytes));
                break;
        }
    }
}
