using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Redact.Rules;
using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Json;

/// <summary>
/// Redacts a JSON payload in place: values of sensitive headers (in <c>headers</c> objects) and of keys named like
/// credentials are replaced whole; every other string is scanned for secrets, as written and decoded
/// (<see cref="ViewScanner"/>), <c>HEX:</c> strings as the bytes they stand for. Strings that belong together are
/// also read together: the elements of an array of strings joined by spaces (a process's argv: <c>-u</c>,
/// <c>user:pw</c>), and the string values of one key across the elements of a stream's <c>events</c> (a key
/// streamed a few characters per event).
/// </summary>
/// <remarks>Not thread-safe: one per analyzer instance (it reuses its buffers).</remarks>
internal sealed class JsonRedactor
{
    /// <summary>Deeper payloads are refused (and so dropped by the host): walking them could exhaust the stack.</summary>
    public const int MaxDepth = 1000;

    /// <summary>Most JSON keys whose verdict is remembered.</summary>
    private const int MaxCachedNames = 4096;

    /// <summary>Arrays whose elements are the pieces of one stream, read joined (the sse event's, the original tool's sse_processor's).</summary>
    private static readonly string[] StreamArrays = ["events", "sse_events"];

    /// <summary>Text that holds several JSON events (SSE data lines, NDJSON, a JSON array of chunks): its values are also read joined.</summary>
    private static readonly string[] StreamMarkers = ["data: {", "data:{", "}\n{", "}\r\n{", ",\r\n{"];

    private readonly SecretScanner _scanner;
    private readonly ViewScanner _views;
    private readonly SecretNames _names;
    private readonly ScanRule? _headerRule;
    private readonly ScanRule? _fieldRule;
    private readonly Action<int> _found;
    private readonly Dictionary<string, NameVerdict> _verdicts = new(StringComparer.Ordinal);
    private readonly List<SecretSpan> _spans = [];
    private readonly List<(int Start, int End, int Rule)> _merged = [];
    private readonly StringBuilder _text = new();
    private readonly ArrayBufferWriter<byte> _bytes = new();
    private readonly Dictionary<JsonNode, List<SecretSpan>> _joinedFinds = new(ReferenceEqualityComparer.Instance);
    private readonly MappedText _joined = new();
    private readonly List<SecretSpan> _inView = [];
    private readonly List<SecretSpan> _mapped = [];
    private readonly List<(JsonValue Node, int Start, int Length)> _leaves = [];
    private readonly ContentGroups _leafGroups = new();
    private readonly ContentGroups _innerGroups = new();
    private readonly JsonValueReader _reader = new();
    private char[] _widened = [];
    private bool _changed;

    public JsonRedactor(SecretScanner scanner, SecretNames names, Action<int> found)
    {
        _scanner = scanner;
        _views = new ViewScanner(scanner);
        _names = names;
        _found = found;
        _headerRule = scanner.Rules.FirstOrDefault(r => r.Id == RuleCatalog.Header);
        _fieldRule = scanner.Rules.FirstOrDefault(r => r.Id == RuleCatalog.JsonField);
    }

    /// <summary>Redacts every value of <paramref name="root"/> except the key <paramref name="skip"/>; true when anything changed.</summary>
    public bool Redact(JsonObject root, string? skip = null)
    {
        _changed = false;
        _joinedFinds.Clear();
        Object(root, headers: false, skip, 0);
        return _changed;
    }

    /// <summary>
    /// Text with its secrets replaced (the same instance when there are none); <paramref name="joined"/> adds what was
    /// found in it when read joined with other strings.
    /// </summary>
    public string RedactText(string text, List<SecretSpan>? joined = null)
    {
        if (text.StartsWith("HEX:", StringComparison.Ordinal) && text.Length > 4)
        {
            var bytes = TlsPayload.DecodeData(text);
            var redacted = RedactBytes(bytes);
            return redacted is null ? text : TlsPayload.FormatData(redacted);
        }
        var scan = _views.MayContainSecrets(text);
        if (!scan && joined is null)
        {
            return text;
        }
        _spans.Clear();
        if (scan)
        {
            Scan(text);
        }
        if (joined is not null)
        {
            _spans.AddRange(joined);
        }
        SpanMerger.Merge(_spans, _scanner.Order, _merged);
        return _merged.Count == 0 ? text : TextRedaction.Apply(text, 0, text.Length, _merged, _scanner.Rules, _text, _found);
    }

    /// <summary>Complete bytes with their secrets replaced, or null when there are none.</summary>
    public byte[]? RedactBytes(ReadOnlySpan<byte> bytes)
    {
        if (_widened.Length < bytes.Length)
        {
            _widened = new char[Math.Max(bytes.Length, 256)];
        }
        var text = _widened.AsSpan(0, bytes.Length);
        Encoding.Latin1.GetChars(bytes, text);
        if (!_views.MayContainSecrets(text))
        {
            return null;
        }
        _spans.Clear();
        Scan(text);
        SpanMerger.Merge(_spans, _scanner.Order, _merged);
        return TextRedaction.Apply(bytes, 0, _merged, _scanner.Rules, _bytes, _found);
    }

    /// <summary>Adds the secrets of a complete text to <see cref="_spans"/>: as written, decoded, and its JSON values joined when it holds a stream.</summary>
    private void Scan(ReadOnlySpan<char> text)
    {
        _views.Scan(text, 0, text.Length, ScanContext.Complete, _spans);
        foreach (var marker in StreamMarkers)
        {
            if (text.Contains(marker, StringComparison.Ordinal))
            {
                _views.ScanJoinedValues(text, _spans);
                break;
            }
        }
    }

    private void Object(JsonObject obj, bool headers, string? skip, int depth)
    {
        CheckDepth(depth);
        // By index rather than foreach: the object's enumerator is a boxed allocation per object, and a replaced value
        // can be set in place (same key, same position) without collecting replacements first.
        for (var i = 0; i < obj.Count; i++)
        {
            var (name, node) = obj.GetAt(i);
            if (name == skip)
            {
                continue;
            }
            switch (node)
            {
                case JsonObject child:
                    Object(child, IsHeaders(name), null, depth + 1);
                    break;
                case JsonArray array:
                    Array(array, IsHeaders(name), depth + 1, name);
                    break;
                case JsonValue value when Value(name, value, headers) is { } replacement:
                    obj.SetAt(i, replacement);
                    _changed = true;
                    break;
            }
        }
    }

    private void Array(JsonArray array, bool headers, int depth, string? name = null)
    {
        CheckDepth(depth);
        if (array.Count >= 2)
        {
            if (name is not null && System.Array.IndexOf(StreamArrays, name) >= 0)
            {
                JoinPieces(array, depth);
            }
            else
            {
                JoinWords(array);
            }
        }
        for (var i = 0; i < array.Count; i++)
        {
            switch (array[i])
            {
                case JsonObject child:
                    Object(child, headers, null, depth + 1);
                    break;
                case JsonArray inner:
                    Array(inner, headers, depth + 1, null);
                    break;
                case JsonValue value when Value(null, value, false) is { } replacement:
                    array[i] = replacement;
                    _changed = true;
                    break;
            }
        }
    }

    /// <summary>The value's replacement, or null to keep it.</summary>
    private JsonValue? Value(string? name, JsonValue value, bool headers)
    {
        var kind = value.GetValueKind();
        if (kind is not (JsonValueKind.String or JsonValueKind.Number))
        {
            return null;
        }
        var text = kind == JsonValueKind.String ? value.GetValue<string>() : null;
        if (name is not null && (text is null || (text.Length > 0 && !text.StartsWith("[REDACTED:", StringComparison.Ordinal))))
        {
            if (headers && _headerRule is not null && _names.IsHeader(name))
            {
                return Replace(text, _headerRule, keepScheme: true);
            }
            if (_fieldRule is not null)
            {
                var verdict = FieldVerdict(name);
                if (verdict == NameVerdict.Always || (verdict == NameVerdict.IfCredentialShaped && text is not null && SecretNames.IsCredentialShaped(text)))
                {
                    return Replace(text, _fieldRule, keepScheme: name.Contains("auth", StringComparison.OrdinalIgnoreCase));
                }
            }
        }
        if (text is null || text.Length == 0)
        {
            return null;
        }
        var redacted = RedactText(text, _joinedFinds.Count > 0 && _joinedFinds.TryGetValue(value, out var joined) ? joined : null);
        return ReferenceEquals(redacted, text) ? null : JsonValue.Create(redacted);
    }

    private JsonValue Replace(string? text, ScanRule rule, bool keepScheme)
    {
        _found(rule.Index);
        if (keepScheme && text is not null)
        {
            var start = HeaderLineRule.AfterScheme(text, 0, text.Length);
            if (start > 0)
            {
                return JsonValue.Create(string.Concat(text.AsSpan(0, start), rule.Marker));
            }
        }
        return JsonValue.Create(rule.Marker);
    }

    /// <summary>
    /// An array of strings (a process's argv, a command split into words) read as one text, its elements joined by
    /// spaces: <c>["curl", "-u", "user:pw"]</c> is <c>curl -u user:pw</c>. What is found is kept for each element.
    /// </summary>
    private void JoinWords(JsonArray array)
    {
        _leaves.Clear();
        _joined.Clear();
        var start = 0;
        foreach (var element in array)
        {
            if (element is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
            {
                return;
            }
            var text = value.GetValue<string>();
            if (text.StartsWith("HEX:", StringComparison.Ordinal))
            {
                return;
            }
            if (_leaves.Count > 0)
            {
                _joined.AppendUnmapped(" ");
            }
            _joined.AppendCopy(text, start);
            _leaves.Add((value, start, text.Length));
            // One position between elements, so that no span runs from one into the next.
            start += text.Length + 1;
        }
        if (!_views.MayContainSecrets(_joined.Text))
        {
            return;
        }
        ScanJoined(_joined, ScanContext.Complete);
    }

    /// <summary>
    /// The pieces of a stream (an sse event's <c>events</c>): each key's string values across the elements read as one
    /// text, and so are the values inside strings that hold JSON (the original tool's <c>data</c>), key by key.
    /// </summary>
    private void JoinPieces(JsonArray array, int depth)
    {
        _leaves.Clear();
        _leafGroups.Clear();
        _innerGroups.Clear();
        var start = 0;
        foreach (var element in array)
        {
            CollectLeaves(element, null, ref start, depth + 1);
        }
        for (var g = 0; g < 2; g++)
        {
            var groups = g == 0 ? _leafGroups : _innerGroups;
            for (var i = 0; i < groups.Count; i++)
            {
                if (groups.Values(i) >= 2 && _views.MayContainSecrets(groups.View(i).Text))
                {
                    ScanJoined(groups.View(i), ScanContext.Complete);
                }
            }
        }
    }

    private void CollectLeaves(JsonNode? node, string? name, ref int start, int depth)
    {
        CheckDepth(depth);
        switch (node)
        {
            case JsonObject obj:
                for (var i = 0; i < obj.Count; i++)
                {
                    var (key, child) = obj.GetAt(i);
                    CollectLeaves(child, key, ref start, depth + 1);
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    CollectLeaves(child, name, ref start, depth + 1);
                }
                break;
            case JsonValue value when name is not null && value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>();
                if (text.Length == 0 || text.StartsWith("HEX:", StringComparison.Ordinal))
                {
                    return;
                }
                _leaves.Add((value, start, text.Length));
                if (_leafGroups.NameOf(name) is { } known)
                {
                    _leafGroups.Append(known, text, start, newValue: true);
                }
                if (text.Contains("\":", StringComparison.Ordinal) || text.Contains("\": ", StringComparison.Ordinal))
                {
                    _reader.Reset();
                    _reader.Read(text, start, _innerGroups);
                }
                start += text.Length + 1;
                break;
        }
    }

    /// <summary>Scans a view joined from <see cref="_leaves"/> and keeps what it finds for each leaf (<see cref="_joinedFinds"/>).</summary>
    private void ScanJoined(MappedText view, in ScanContext context)
    {
        _inView.Clear();
        _views.ScanView(view, 0, context, _inView);
        if (_inView.Count == 0)
        {
            return;
        }
        _mapped.Clear();
        _views.MapInto(view, _inView, _mapped);
        foreach (var span in _mapped)
        {
            var leaf = LeafAt(span.Start);
            if (leaf < 0)
            {
                continue;
            }
            var (node, start, length) = _leaves[leaf];
            if (!_joinedFinds.TryGetValue(node, out var list))
            {
                _joinedFinds[node] = list = [];
            }
            list.Add(new SecretSpan(span.Start - start, Math.Min(span.End, start + length) - start, span.Rule, false, Continuation.None));
        }
    }

    /// <summary>The leaf whose text holds virtual position <paramref name="position"/>, or -1.</summary>
    private int LeafAt(int position)
    {
        int low = 0, high = _leaves.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            var (_, start, length) = _leaves[middle];
            if (position < start)
            {
                high = middle - 1;
            }
            else if (position > start + length)
            {
                low = middle + 1;
            }
            else
            {
                return position < start + length || length == 0 ? middle : -1;
            }
        }
        return -1;
    }

    private static void CheckDepth(int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidOperationException($"the payload is nested more than {MaxDepth} levels deep; it is dropped rather than passed unredacted");
        }
    }

    /// <summary>
    /// <see cref="SecretNames.JsonField"/>, remembered per key: payloads repeat the same few keys (<c>type</c>,
    /// <c>text</c>, <c>role</c>…) thousands of times, and normalizing a key costs more than looking it up.
    /// </summary>
    private NameVerdict FieldVerdict(string name)
    {
        if (_verdicts.TryGetValue(name, out var verdict))
        {
            return verdict;
        }
        verdict = _names.JsonField(name);
        // Keys come from captured data: the cache is bounded so odd payloads (keys made of ids) cannot grow it.
        if (_verdicts.Count < MaxCachedNames)
        {
            _verdicts[name] = verdict;
        }
        return verdict;
    }

    private static bool IsHeaders(string name) =>
        name.Length is 6 or 7
        && (name.Equals("headers", StringComparison.OrdinalIgnoreCase) || name.Equals("header", StringComparison.OrdinalIgnoreCase));
}
