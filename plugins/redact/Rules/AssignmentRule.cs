using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>
/// The value of <c>name=value</c> when the name carries a credential: URL query and form parameters
/// (<c>?key=…</c>, <c>&amp;access_token=…</c>), and assignments in environment files and command lines
/// (<c>OPENAI_API_KEY=…</c>, <c>DB_PASSWORD="…"</c>).
/// </summary>
internal sealed class AssignmentRule(SecretNames names) : ScanRule("query-param", 20)
{
    /// <summary>Besides the common words: signatures of signed URLs.</summary>
    private static readonly string[] Words = ["sig=", "signature="];

    public override IEnumerable<string> Triggers =>
        TriggerWords.With(names.ExtraParams, Words);

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        if (TriggerWords.CannotEndName(text, at, trigger))
        {
            return;
        }
        var (nameStart, nameEnd) = Names.Around(text, at);
        if (nameStart < 0 || nameEnd == nameStart)
        {
            return;
        }
        // name=value, or name = value (INI, TOML, the AWS credentials file, code).
        var equals = nameEnd;
        while (equals < text.Length && equals - nameEnd < 4 && text[equals] is ' ' or '\t')
        {
            equals++;
        }
        if (equals >= text.Length || text[equals] != '=')
        {
            return;
        }
        var inUrl = nameStart > 0 && text[nameStart - 1] is '?' or '&' or ';' or '#';
        var verdict = names.Parameter(text[nameStart..nameEnd], inUrl);
        if (verdict == NameVerdict.No)
        {
            return;
        }
        var spaced = equals > nameEnd;
        if (equals + 1 < text.Length && text[equals + 1] is ' ' or '\t')
        {
            spaced = true;
            while (equals + 1 < text.Length && text[equals + 1] is ' ' or '\t')
            {
                equals++;
            }
        }
        var start = equals + 1;
        if (start >= text.Length)
        {
            if (context.EndIsOpen)
            {
                spans.Add(new SecretSpan(start, start, Index, true, Continuation.Of(ContinueKind.ParamValue)));
            }
            return;
        }
        int end;
        var kind = ContinueKind.ParamValue;
        switch (text[start])
        {
            case '=':
                return; // "==": a comparison, not an assignment.
            case '"' or '\'':
                var quote = text[start];
                start++;
                var closing = start < text.Length ? text[start..].IndexOfAny(quote, '\\', '\n') : -1;
                end = closing < 0 ? text.Length : start + closing;
                kind = ContinueKind.QuotedValue;
                break;
            case '{':
                // An ODBC value in braces (Pwd={p;w}).
                start++;
                var brace = text[start..].IndexOfAny('}', '\n');
                end = brace < 0 ? text.Length : start + brace;
                kind = ContinueKind.QuotedValue;
                break;
            case '\\' when text[start..].StartsWith("\\\"", StringComparison.Ordinal):
                start += 2;
                var escapedClose = text[start..].IndexOf('\\');
                end = escapedClose < 0 ? text.Length : start + escapedClose;
                kind = ContinueKind.JsonEscapedString;
                break;
            default:
                var stop = text[start..].IndexOfAny(CharSets.ParamStops);
                end = stop < 0 ? text.Length : start + stop;
                break;
        }
        var open = RunsOff(text, end, context);
        if (end <= start && !open)
        {
            return;
        }
        if (start < text.Length && (text[start] == '$' || IsMarker(text, start)))
        {
            return; // A shell variable ($API_KEY) names the secret without holding it.
        }
        if (!open && verdict == NameVerdict.IfCredentialShaped && !SecretNames.IsCredentialShaped(text[start..end]))
        {
            return;
        }
        if (!open && spaced && kind == ContinueKind.ParamValue && !IsLiteral(text, start, end))
        {
            return; // password = request.form["password"], token = get_token(): code, not a value.
        }
        spans.Add(new SecretSpan(start, end, Index, open, Continuation.Of(kind)));
    }

    /// <summary>
    /// True when an unquoted value after <c>name = </c> is a literal rather than code: not followed by a call or an
    /// index, no brackets, and not a bare identifier or member access (a value with a digit or a symbol).
    /// </summary>
    private static bool IsLiteral(ReadOnlySpan<char> text, int start, int end)
    {
        var value = text[start..end];
        if (value.IndexOfAny("([{") >= 0 || (end < text.Length && text[end] is ')' or ']' or '}'))
        {
            return false;
        }
        return value.IndexOfAny(CharSets.DigitChars) >= 0 || value.IndexOfAnyExcept(CharSets.Name) >= 0;
    }
}
