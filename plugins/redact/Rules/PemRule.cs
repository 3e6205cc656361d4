using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>A PEM private key, <c>-----BEGIN … PRIVATE KEY-----</c> to its <c>-----END …-----</c> line, whole.</summary>
internal sealed class PemRule() : ScanRule("private-key", 10)
{
    private const string Begin = "-----BEGIN ";
    private const int MaxLabel = 48;

    public override IEnumerable<string> Triggers => [Begin];

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        if (!text[at..].StartsWith(Begin, StringComparison.Ordinal))
        {
            return;
        }
        var labelStart = at + Begin.Length;
        var window = text[labelStart..Math.Min(text.Length, labelStart + MaxLabel + 5)];
        var close = window.IndexOf("-----", StringComparison.Ordinal);
        if (close < 0)
        {
            // The header line is cut by the end of the read: it may be a key; the next read says.
            if (context.EndIsOpen && labelStart + window.Length >= text.Length)
            {
                spans.Add(new SecretSpan(at, text.Length, Index, true, Continuation.Of(ContinueKind.Pem)));
            }
            return;
        }
        if (!window[..close].Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return;
        }
        var end = EndOfBlock(text, labelStart + close + 5);
        // With no END line in a complete text, everything after BEGIN goes: a key cut short is still a key.
        spans.Add(new SecretSpan(at, end, Index, end >= text.Length && context.EndIsOpen, Continuation.Of(ContinueKind.Pem)));
    }

    /// <summary>One past the <c>-----END …-----</c> line after <paramref name="from"/>, or the text's end.</summary>
    public static int EndOfBlock(ReadOnlySpan<char> text, int from)
    {
        var endLine = text[from..].IndexOf("-----END ", StringComparison.Ordinal);
        if (endLine < 0)
        {
            return text.Length;
        }
        var labelStart = from + endLine + 9;
        var close = text[labelStart..].IndexOf("-----", StringComparison.Ordinal);
        return close < 0 ? text.Length : labelStart + close + 5;
    }
}
