namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>
/// Scans a text as written and as read: its decoded view (JSON, <c>\x</c> and URL escapes decoded, up to
/// <see cref="MaxLevels"/> levels for escapes that were themselves escaped), and, for JSON text, the values of each
/// key joined across the text (a streamed answer's pieces). What a view finds is mapped back to the characters it
/// came from, so a secret is found whatever encoding surrounds it and replaced where it is written.
/// </summary>
/// <remarks>Not thread-safe: one per redactor (its buffers are reused).</remarks>
internal sealed class ViewScanner(SecretScanner scanner)
{
    /// <summary>Levels of escapes decoded (<c>\\\\u0073</c> is three: JSON in a JSON string in a JSON string).</summary>
    public const int MaxLevels = 3;

    private readonly MappedText[] _decoded = [new(), new(), new()];
    private readonly List<SecretSpan>[] _found = [[], [], []];
    private readonly List<SecretSpan> _inView = [];
    private readonly List<(int Start, int End)> _ranges = [];
    private readonly JsonValueReader _reader = new();
    private readonly ContentGroups _groups = new();

    public SecretScanner Scanner { get; } = scanner;

    /// <summary>True when a scan of <paramref name="text"/> might find something: a trigger, or an escape that may hide one.</summary>
    public bool MayContainSecrets(ReadOnlySpan<char> text) => Scanner.MayContainSecrets(text) || EscapeDecoder.MayHaveEscapes(text);

    /// <summary>
    /// Adds the secrets of <paramref name="text"/> and of its decoded views that start in [searchStart, searchEnd)
    /// (view positions mapped to the text's). Returns where the last trigger was found, as written or decoded (as a
    /// position in the text), or -1: a stream searches again from there when a check may have needed more text.
    /// </summary>
    public int Scan(ReadOnlySpan<char> text, int searchStart, int searchEnd, in ScanContext context, List<SecretSpan> spans)
    {
        var lastHit = Scanner.Scan(text, searchStart, searchEnd, context, spans);
        return Math.Max(lastHit, ScanDecoded(text, searchStart, searchEnd, context, spans, 0));
    }

    /// <summary>
    /// The decoded view of <paramref name="text"/> (one level), for carrying an open secret on in it; null when the
    /// text has no escape. The text is a stream's, which may go on: an escape cut by its end stays open. Valid until
    /// the next call on this scanner.
    /// </summary>
    public MappedText? Decoded(ReadOnlySpan<char> text) =>
        EscapeDecoder.MayHaveEscapes(text) && EscapeDecoder.Decode(text, _decoded[0], out _, endIsOpen: true) ? _decoded[0] : null;

    /// <summary>
    /// Scans a view (and its decoded views) and adds what it finds to <paramref name="viewSpans"/> in the view's own
    /// positions; <see cref="MapInto"/> takes them to the base.
    /// </summary>
    public void ScanView(MappedText view, int searchStart, in ScanContext context, List<SecretSpan> viewSpans) =>
        Scan(view.Text, searchStart, view.Length, context, viewSpans);

    /// <summary>
    /// Adds the secrets found in the string values of JSON text joined by key name (complete text: the values of
    /// one name read as one text), in <paramref name="text"/>'s positions. Names with a single value are skipped:
    /// that value was scanned where it is.
    /// </summary>
    public void ScanJoinedValues(ReadOnlySpan<char> text, List<SecretSpan> spans)
    {
        _reader.Reset();
        _groups.Clear();
        _reader.Read(text, 0, _groups);
        for (var i = 0; i < _groups.Count; i++)
        {
            if (_groups.Values(i) < 2)
            {
                continue;
            }
            var view = _groups.View(i);
            _inView.Clear();
            ScanView(view, 0, ScanContext.Complete, _inView);
            MapInto(view, _inView, spans);
        }
    }

    /// <summary>
    /// Adds <paramref name="found"/> (positions in <paramref name="view"/>) to <paramref name="spans"/> in base
    /// positions: one span per stretch of consecutive base characters, the last keeping whether it is open and how it goes on.
    /// </summary>
    public void MapInto(MappedText view, List<SecretSpan> found, List<SecretSpan> spans)
    {
        foreach (var span in found)
        {
            _ranges.Clear();
            view.Map(span.Start, span.End, _ranges);
            if (_ranges.Count == 0)
            {
                if (span.Open && view.ToBase(span.Start) is var at && at >= 0)
                {
                    spans.Add(span with { Start = at, End = at });
                }
                continue;
            }
            for (var i = 0; i < _ranges.Count; i++)
            {
                var last = i == _ranges.Count - 1;
                spans.Add(new SecretSpan(_ranges[i].Start, _ranges[i].End, span.Rule, last && span.Open, last ? span.Continue : Continuation.None));
            }
        }
    }

    /// <summary>Scans the decoded view of <paramref name="text"/>; returns the text position of its last trigger, or -1.</summary>
    private int ScanDecoded(ReadOnlySpan<char> text, int searchStart, int searchEnd, in ScanContext context, List<SecretSpan> spans, int level)
    {
        if (level >= MaxLevels || !EscapeDecoder.MayHaveEscapes(text))
        {
            return -1;
        }
        var view = _decoded[level];
        if (!EscapeDecoder.Decode(text, view, out var again, context.EndIsOpen))
        {
            return -1;
        }
        var found = _found[level];
        found.Clear();
        // The text before searchStart was searched already, but a trigger written with escapes is longer there than
        // the caller allowed for (":" is "%3A", "s" is "\u0073"): one cut by that point starts before it, decoded.
        var start = searchStart <= 0 ? 0 : Math.Max(0, view.FromBase(searchStart) - (Scanner.LongestTrigger - 1));
        var end = searchEnd >= text.Length ? view.Length : view.FromBase(searchEnd);
        var lastHit = Scanner.Scan(view.Text, start, end, context, found);
        if (again)
        {
            lastHit = Math.Max(lastHit, ScanDecoded(view.Text, start, end, context, found, level + 1));
        }
        MapInto(view, found, spans);
        return lastHit < 0 ? -1 : view.ToBase(lastHit);
    }
}
