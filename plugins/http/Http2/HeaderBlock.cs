namespace AgentSight.Plugins.Http.Http2;

/// <summary>
/// The fields of one decoded header block: pseudo-headers apart, the others in order (names lowercase), cookie
/// crumbs joined with <c>"; "</c> (RFC 9113 §8.2.3), and the count of fields that could not be decoded or were cut.
/// </summary>
internal sealed class HeaderBlock(int limit)
{
    private const int FieldOverhead = 32;
    private int _cookie = -1;
    private long _size;

    public List<KeyValuePair<string, string>> Fields { get; } = [];

    public string? Method { get; private set; }

    public string? Path { get; private set; }

    public string? Authority { get; private set; }

    public string? Scheme { get; private set; }

    public string? Status { get; private set; }

    /// <summary>The extended CONNECT protocol (RFC 8441), e.g. <c>websocket</c>.</summary>
    public string? Protocol { get; private set; }

    /// <summary>True when a pseudo-header was seen.</summary>
    public bool HasPseudo { get; private set; }

    /// <summary>Fields not in <see cref="Fields"/>: not decodable (their table entry predates what was seen) or past the cap.</summary>
    public int Missed { get; set; }

    /// <summary>True when fields were dropped because the list outgrew the cap.</summary>
    public bool TooLarge { get; private set; }

    public void Add(string name, string value)
    {
        var size = name.Length + value.Length + FieldOverhead;
        if (_size + size > limit)
        {
            TooLarge = true;
            Missed++;
            return;
        }
        _size += size;
        if (name.Length > 0 && name[0] == ':')
        {
            HasPseudo = true;
            switch (name)
            {
                case ":method":
                    Method ??= value;
                    break;
                case ":path":
                    Path ??= value;
                    break;
                case ":authority":
                    Authority ??= value;
                    break;
                case ":scheme":
                    Scheme ??= value;
                    break;
                case ":status":
                    Status ??= value;
                    break;
                case ":protocol":
                    Protocol ??= value;
                    break;
            }
            return;
        }
        if (name == "cookie")
        {
            if (_cookie >= 0)
            {
                Fields[_cookie] = new(name, Fields[_cookie].Value + "; " + value);
                return;
            }
            _cookie = Fields.Count;
        }
        Fields.Add(new(name, value));
    }

    /// <summary>The <c>:status</c> as a number, or null when absent or not three digits.</summary>
    public int? StatusCode => Status is { Length: 3 } s && char.IsAsciiDigit(s[0]) && char.IsAsciiDigit(s[1]) && char.IsAsciiDigit(s[2])
        ? ((s[0] - '0') * 100) + ((s[1] - '0') * 10) + (s[2] - '0')
        : null;
}
