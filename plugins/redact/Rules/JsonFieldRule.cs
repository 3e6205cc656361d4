using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>
/// The value of a JSON key named like a credential (<c>"api_key": "…"</c>, <c>"password": "…"</c>) in JSON
/// text: raw bodies, body strings, and JSON nested inside JSON strings (<c>\"api_key\":\"…\"</c>).
/// </summary>
internal sealed class JsonFieldRule(SecretNames names) : ScanRule("json-field", 30)
{
    public override IEnumerable<string> Triggers =>
        TriggerWords.With(names.ExtraFields);

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        if (TriggerWords.CannotEndName(text, at, trigger))
        {
            return;
        }
        var (nameStart, nameEnd) = Names.Around(text, at);
        if (nameStart < 1 || nameEnd >= text.Length || text[nameStart - 1] != '"')
        {
            return;
        }
        // Plain JSON: "name": …; JSON inside a JSON string: \"name\": …
        var escaped = nameStart >= 2 && text[nameStart - 2] == '\\';
        var i = nameEnd;
        if (escaped)
        {
            if (i + 1 >= text.Length || text[i] != '\\' || text[i + 1] != '"')
            {
                return;
            }
            i += 2;
        }
        else
        {
            if (text[i] != '"')
            {
                return;
            }
            i++;
        }
        var verdict = names.JsonField(text[nameStart..nameEnd]);
        if (verdict == NameVerdict.No)
        {
            return;
        }
        i = SkipSpaces(text, i);
        if (i >= text.Length || text[i] != ':')
        {
            return;
        }
        i = SkipSpaces(text, i + 1);
        if (i >= text.Length)
        {
            return;
        }
        int start, end;
        ContinueKind kind;
        if (!escaped && text[i] == '"')
        {
            start = i + 1;
            end = StringEnd(text, start);
            kind = ContinueKind.JsonString;
        }
        else if (escaped && text[i..].StartsWith("\\\"", StringComparison.Ordinal))
        {
            start = i + 2;
            var length = text[start..].IndexOf('\\');
            end = length < 0 ? text.Length : start + length;
            kind = ContinueKind.JsonEscapedString;
        }
        else if (char.IsAsciiDigit(text[i]) || text[i] == '-')
        {
            start = i;
            end = RunEnd(text, start, CharSets.Number);
            spans.Add(new SecretSpan(start, end, Index, RunsOff(text, end, context), Continuation.Token(CharSets.Number)));
            return;
        }
        else
        {
            return;
        }
        var open = RunsOff(text, end, context);
        if ((end <= start && !open) || (start < text.Length && IsMarker(text, start)))
        {
            return;
        }
        if (!open && verdict == NameVerdict.IfCredentialShaped && !SecretNames.IsCredentialShaped(text[start..end]))
        {
            return;
        }
        spans.Add(new SecretSpan(start, end, Index, open, Continuation.Of(kind)));
    }

    /// <summary>The next unescaped quote from <paramref name="start"/>, or the text's end.</summary>
    public static int StringEnd(ReadOnlySpan<char> text, int start)
    {
        var i = start;
        while (i < text.Length)
        {
            var next = text[i..].IndexOfAny(CharSets.JsonStringSpecials);
            if (next < 0)
            {
                return text.Length;
            }
            i += next;
            if (text[i] == '"')
            {
                return i;
            }
            i += 2;
        }
        return text.Length;
    }

    private static int SkipSpaces(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t' or '\r' or '\n')
        {
            i++;
        }
        return i;
    }
}
