using System.Text;
using System.Text.Unicode;

namespace AgentSight.Plugins.Http;

/// <summary>A parsed start line and header block (or an HTTP/2 header block: see HttpHead.Http2.cs).</summary>
internal sealed partial class HttpHead
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    public MessageKind Kind { get; private init; }

    /// <summary>Request method (requests); null when an HTTP/2 header block did not say it.</summary>
    public string? Method { get; private init; } = "";

    /// <summary>Request target (requests); null when an HTTP/2 header block did not say it.</summary>
    public string? Target { get; private init; } = "";

    /// <summary><c>HTTP/1.0</c>, <c>HTTP/1.1</c> or <c>HTTP/2</c>.</summary>
    public string Version { get; private init; } = "";

    /// <summary>Status code (responses); null when an HTTP/2 header block did not say it.</summary>
    public int? Status { get; private init; }

    /// <summary>Reason phrase (responses); null in HTTP/2, which has none.</summary>
    public string? Reason { get; private init; } = "";

    /// <summary>Headers in order, names lowercased.</summary>
    public List<KeyValuePair<string, string>> Headers { get; private init; } = [];

    /// <summary>Header lines that were neither a field nor a continuation, skipped.</summary>
    public int BadLines { get; private set; }

    /// <summary>The value of a header, repeated ones joined with <c>", "</c>; null when absent.</summary>
    public string? Get(string name)
    {
        string? found = null;
        foreach (var (key, value) in Headers)
        {
            if (key == name)
            {
                found = found is null ? value : found + ", " + value;
            }
        }
        return found;
    }

    /// <summary>True when the header is present at all.</summary>
    public bool Has(string name)
    {
        foreach (var pair in Headers)
        {
            if (pair.Key == name)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Parses a complete head (start line, header lines, and the blank line), already known to start with a valid
    /// start line (<see cref="StartLine.Check"/>).
    /// </summary>
    public static HttpHead Parse(ReadOnlySpan<byte> block, MessageKind kind)
    {
        var lineEnd = block.IndexOf((byte)'\n');
        var line = TrimCr(block[..lineEnd]);
        // One field per line at most (the start line and the blank line are not fields): the list never grows.
        var fields = new List<KeyValuePair<string, string>>(Math.Max(0, block.Count((byte)'\n') - 2));
        HttpHead head;
        if (kind == MessageKind.Request)
        {
            var firstSpace = line.IndexOf((byte)' ');
            var lastSpace = line.LastIndexOf((byte)' ');
            head = new HttpHead
            {
                Kind = kind,
                Headers = fields,
                Method = Ascii(line[..firstSpace]),
                Target = Text(line[(firstSpace + 1)..lastSpace]),
                Version = Ascii(line[(lastSpace + 1)..]),
            };
        }
        else
        {
            var reasonStart = Math.Min(line.Length, 13);
            head = new HttpHead
            {
                Kind = kind,
                Headers = fields,
                Version = Ascii(line[..8]),
                Status = ((line[9] - '0') * 100) + ((line[10] - '0') * 10) + (line[11] - '0'),
                Reason = Text(line[reasonStart..]),
            };
        }

        var rest = block[(lineEnd + 1)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var field = TrimCr(end < 0 ? rest : rest[..end]);
            rest = end < 0 ? default : rest[(end + 1)..];
            if (field.IsEmpty)
            {
                break;
            }
            head.AddField(field);
        }
        return head;
    }

    private void AddField(ReadOnlySpan<byte> field)
    {
        if (field[0] is (byte)' ' or (byte)'\t')
        {
            // Obsolete line folding: the line continues the previous field's value.
            if (Headers.Count == 0)
            {
                BadLines++;
                return;
            }
            var previous = Headers[^1];
            Headers[^1] = new(previous.Key, previous.Value + " " + Text(field.Trim(" \t"u8)));
            return;
        }
        var colon = field.IndexOf((byte)':');
        if (colon <= 0 || !IsToken(field[..colon]))
        {
            BadLines++;
            return;
        }
        Headers.Add(new(LowerName(field[..colon]), Text(field[(colon + 1)..].Trim(" \t"u8))));
    }

    private static bool IsToken(ReadOnlySpan<byte> name)
    {
        foreach (var c in name)
        {
            if (c <= 0x20 || c >= 0x7F || c is (byte)'(' or (byte)')' or (byte)',' or (byte)'/' or (byte)':' or (byte)';'
                or (byte)'<' or (byte)'=' or (byte)'>' or (byte)'?' or (byte)'@' or (byte)'[' or (byte)'\\' or (byte)']'
                or (byte)'{' or (byte)'}' or (byte)'"')
            {
                return false;
            }
        }
        return true;
    }

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) =>
        !line.IsEmpty && line[^1] == (byte)'\r' ? line[..^1] : line;

    private static string LowerName(ReadOnlySpan<byte> name) => WellKnown.Name(name);

    private static string Ascii(ReadOnlySpan<byte> bytes) => WellKnown.Name(bytes, lower: false);

    /// <summary>UTF-8 when it is valid, otherwise Latin-1 (obs-text), so every byte is kept.</summary>
    private static string Text(ReadOnlySpan<byte> bytes) =>
        Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Latin1.GetString(bytes);
}
