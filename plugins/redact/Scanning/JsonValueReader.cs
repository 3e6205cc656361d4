using System.Buffers;

namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>
/// Reads the string values of JSON text (<c>"name": "value"</c>) and appends each value, as written (escapes kept),
/// to the view of its key's name in <see cref="ContentGroups"/>: the pieces of a streamed answer, one per event
/// (<c>"text":"sk-ant-"</c> … <c>"text":"api03…"</c>), then read as one text. Resumable: a stream is fed piece by
/// piece, and a value, a name or an escape cut by a piece boundary goes on in the next piece.
/// </summary>
/// <remarks>
/// Not a JSON parser: it looks for a quoted name, a colon and a quoted value, wherever they are, so SSE framing, NDJSON,
/// JSON arrays and text around them are all read. A name longer than <see cref="MaxName"/> characters is skipped.
/// </remarks>
internal sealed class JsonValueReader
{
    public const int MaxName = 64;

    private static readonly SearchValues<char> QuoteOrBackslash = SearchValues.Create("\"\\");

    private readonly char[] _name = new char[MaxName];
    private Mode _mode;
    private int _nameLength;
    private bool _escape;
    private string? _value;
    private bool _newValue;

    private enum Mode : byte
    {
        Outside,
        InName,
        AfterName,
        BeforeValue,
        InValue,
        InOtherString,
    }

    /// <summary>Forgets where it was: the next text starts outside any string.</summary>
    public void Reset()
    {
        _mode = Mode.Outside;
        _nameLength = 0;
        _escape = false;
        _value = null;
        _newValue = false;
    }

    /// <summary>Takes over another reader's position (to read ahead without moving this one).</summary>
    public void CopyFrom(JsonValueReader other)
    {
        _mode = other._mode;
        _nameLength = other._nameLength;
        _escape = other._escape;
        _value = other._value;
        _newValue = other._newValue;
        other._name.AsSpan(0, other._nameLength).CopyTo(_name);
    }

    /// <summary>True when nothing is cut: the reader is outside any string.</summary>
    public bool IsOutside => _mode == Mode.Outside;

    /// <summary>Reads <paramref name="text"/>, whose first character is at base position <paramref name="baseStart"/>.</summary>
    public void Read(ReadOnlySpan<char> text, int baseStart, ContentGroups groups)
    {
        var i = 0;
        while (i < text.Length)
        {
            switch (_mode)
            {
                case Mode.Outside:
                {
                    var quote = text[i..].IndexOf('"');
                    if (quote < 0)
                    {
                        return;
                    }
                    i += quote + 1;
                    _mode = Mode.InName;
                    _nameLength = 0;
                    break;
                }
                case Mode.InName:
                {
                    var c = text[i++];
                    if (c == '"')
                    {
                        _mode = Mode.AfterName;
                    }
                    else if (c == '\\' || c == '\n' || _nameLength == MaxName)
                    {
                        _mode = Mode.InOtherString;
                        _escape = c == '\\';
                    }
                    else
                    {
                        _name[_nameLength++] = c;
                    }
                    break;
                }
                case Mode.AfterName or Mode.BeforeValue:
                {
                    var c = text[i];
                    if (c is ' ' or '\t' or '\r' or '\n')
                    {
                        i++;
                    }
                    else if (_mode == Mode.AfterName && c == ':')
                    {
                        i++;
                        _mode = Mode.BeforeValue;
                    }
                    else if (_mode == Mode.BeforeValue && c == '"')
                    {
                        i++;
                        _mode = Mode.InValue;
                        _escape = false;
                        _value = groups.NameOf(_name.AsSpan(0, _nameLength));
                        _newValue = true;
                    }
                    else
                    {
                        // Not a string value (a number, an object…), or the quoted text was not a name: read it again from here.
                        _mode = Mode.Outside;
                    }
                    break;
                }
                default:
                {
                    var start = i;
                    if (_escape)
                    {
                        // The character after a backslash that ended the previous piece.
                        i++;
                        _escape = false;
                    }
                    var inValue = _mode == Mode.InValue;
                    var ended = false;
                    while (i < text.Length)
                    {
                        var next = text[i..].IndexOfAny(QuoteOrBackslash);
                        if (next < 0)
                        {
                            i = text.Length;
                            break;
                        }
                        i += next;
                        if (text[i] == '"')
                        {
                            ended = true;
                            break;
                        }
                        // A backslash: it and the character it escapes are part of the value.
                        if (i + 1 >= text.Length)
                        {
                            i = text.Length;
                            _escape = true;
                            break;
                        }
                        i += 2;
                    }
                    if (inValue && _value is not null)
                    {
                        groups.Append(_value, text[start..i], baseStart + start, _newValue);
                        _newValue = false;
                    }
                    if (ended)
                    {
                        i++;
                        _mode = Mode.Outside;
                        _value = null;
                    }
                    break;
                }
            }
        }
    }
}

/// <summary>
/// The string values read by <see cref="JsonValueReader"/>, joined by their key's name, each name in its own
/// <see cref="MappedText"/>. Reused from one text to the next; the views are kept and cleared.
/// </summary>
internal sealed class ContentGroups
{
    /// <summary>Most names joined in one text; values of further names are not joined (they are still scanned where they are).</summary>
    public const int MaxNames = 256;

    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _names = [];
    private readonly List<MappedText> _views = [];
    private readonly List<bool> _used = [];
    private readonly List<int> _values = [];

    public ContentGroups() => _lookup = _byName.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Called with a name's view when the name gets its first value since the last <see cref="Clear"/>, before the
    /// value is appended: a stream puts the end of the name's earlier values there, only for the names that have a
    /// new value (most of a stream's names have none in a given piece).
    /// </summary>
    public Action<string, MappedText>? BeforeFirstValue { get; set; }

    /// <summary>Names seen (some with nothing in their view since the last <see cref="Clear"/>).</summary>
    public int Count => _names.Count;

    public string Name(int index) => _names[index];

    public MappedText View(int index) => _views[index];

    /// <summary>True when the name had a value since the last <see cref="Clear"/>.</summary>
    public bool IsUsed(int index) => _used[index];

    /// <summary>Empties every view; names are kept (and strings for them reused).</summary>
    public void Clear()
    {
        if (_names.Count > MaxNames)
        {
            _byName.Clear();
            _names.Clear();
            _views.Clear();
            _used.Clear();
            _values.Clear();
            return;
        }
        for (var i = 0; i < _views.Count; i++)
        {
            _views[i].Clear();
            _used[i] = false;
            _values[i] = 0;
        }
    }

    /// <summary>The string for a name (allocated once per name).</summary>
    public string? NameOf(ReadOnlySpan<char> name)
    {
        if (_lookup.TryGetValue(name, out var index))
        {
            return _names[index];
        }
        if (_names.Count >= MaxNames * 2)
        {
            return null;
        }
        var text = new string(name);
        _byName[text] = _names.Count;
        _names.Add(text);
        _views.Add(new MappedText());
        _used.Add(false);
        _values.Add(0);
        return text;
    }

    /// <summary>Values appended to the view of <paramref name="index"/> since the last <see cref="Clear"/>.</summary>
    public int Values(int index) => _values[index];

    public void Append(string name, ReadOnlySpan<char> value, int baseStart, bool newValue)
    {
        if (!_byName.TryGetValue(name, out var index))
        {
            if (NameOf(name) is null)
            {
                return;
            }
            index = _byName[name];
        }
        if (!_used[index])
        {
            _used[index] = true;
            BeforeFirstValue?.Invoke(_names[index], _views[index]);
        }
        if (newValue)
        {
            _values[index]++;
        }
        _views[index].AppendCopy(value, baseStart);
    }
}
