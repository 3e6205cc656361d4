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
/// credentials are replaced whole; every other string is scanned for secrets, <c>HEX:</c> strings as the bytes they
/// stand for.
/// </summary>
/// <remarks>Not thread-safe: one per analyzer instance (it reuses its buffers).</remarks>
internal sealed class JsonRedactor
{
    /// <summary>Deeper payloads are refused (and so dropped by the host): walking them could exhaust the stack.</summary>
    public const int MaxDepth = 1000;

    /// <summary>Most JSON keys whose verdict is remembered.</summary>
    private const int MaxCachedNames = 4096;

    private readonly SecretScanner _scanner;
    private readonly SecretNames _names;
    private readonly ScanRule? _headerRule;
    private readonly ScanRule? _fieldRule;
    private readonly Action<int> _found;
    private readonly Dictionary<string, NameVerdict> _verdicts = new(StringComparer.Ordinal);
    private readonly List<SecretSpan> _spans = [];
    private readonly List<(int Start, int End, int Rule)> _merged = [];
    private readonly StringBuilder _text = new();
    private readonly ArrayBufferWriter<byte> _bytes = new();
    private char[] _widened = [];
    private bool _changed;

    public JsonRedactor(SecretScanner scanner, SecretNames names, Action<int> found)
    {
        _scanner = scanner;
        _names = names;
        _found = found;
        _headerRule = scanner.Rules.FirstOrDefault(r => r.Id == RuleCatalog.Header);
        _fieldRule = scanner.Rules.FirstOrDefault(r => r.Id == RuleCatalog.JsonField);
    }

    /// <summary>Redacts every value of <paramref name="root"/> except the key <paramref name="skip"/>; true when anything changed.</summary>
    public bool Redact(JsonObject root, string? skip = null)
    {
        _changed = false;
        Object(root, headers: false, skip, 0);
        return _changed;
    }

    /// <summary>Text with its secrets replaced (the same instance when there are none).</summary>
    public string RedactText(string text)
    {
        if (text.StartsWith("HEX:", StringComparison.Ordinal) && text.Length > 4)
        {
            var bytes = TlsPayload.DecodeData(text);
            var redacted = RedactBytes(bytes);
            return redacted is null ? text : TlsPayload.FormatData(redacted);
        }
        if (!_scanner.MayContainSecrets(text))
        {
            return text;
        }
        _spans.Clear();
        _scanner.Scan(text, text.Length, ScanContext.Complete, _spans);
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
        if (!_scanner.MayContainSecrets(text))
        {
            return null;
        }
        _spans.Clear();
        _scanner.Scan(text, text.Length, ScanContext.Complete, _spans);
        SpanMerger.Merge(_spans, _scanner.Order, _merged);
        return TextRedaction.Apply(bytes, 0, _merged, _scanner.Rules, _bytes, _found);
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
                    Array(array, IsHeaders(name), depth + 1);
                    break;
                case JsonValue value when Value(name, value, headers) is { } replacement:
                    obj.SetAt(i, replacement);
                    _changed = true;
                    break;
            }
        }
    }

    private void Array(JsonArray array, bool headers, int depth)
    {
        CheckDepth(depth);
        for (var i = 0; i < array.Count; i++)
        {
            switch (array[i])
            {
                case JsonObject child:
                    Object(child, headers, null, depth + 1);
                    break;
                case JsonArray inner:
                    Array(inner, headers, depth + 1);
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
        var redacted = RedactText(text);
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
