using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>
/// A YAML (or <c>.properties</c>-style) line <c>name: value</c> whose name is a credential's: <c>password: V</c>,
/// <c>token: V</c>, <c>api_key: "V"</c>, also indented and in list items (<c>- secret: V</c>). Names are judged as JSON
/// keys are (<see cref="SecretNames.JsonField"/>). A bare value with spaces is prose, not a value
/// (<c>Password: enter it when asked</c>), and one that reads like code (<c>password: this.password,</c>) is left.
/// </summary>
internal sealed class ConfigFieldRule(SecretNames names) : ScanRule("config-field", 22)
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
        if (nameStart < 0 || nameEnd + 1 >= text.Length || text[nameEnd] != ':' || text[nameEnd + 1] is not (' ' or '\t')
            || !AtLineStart(text, nameStart, context))
        {
            return;
        }
        var verdict = names.JsonField(text[nameStart..nameEnd]);
        if (verdict == NameVerdict.No)
        {
            return;
        }
        var start = nameEnd + 1;
        while (start < text.Length && text[start] is ' ' or '\t')
        {
            start++;
        }
        if (start >= text.Length)
        {
            if (context.EndIsOpen)
            {
                spans.Add(new SecretSpan(start, start, Index, true, Continuation.Of(ContinueKind.LineValue)));
            }
            return;
        }
        int end;
        ContinueKind kind;
        var quoted = text[start] is '"' or '\'';
        if (quoted)
        {
            var quote = text[start];
            start++;
            var close = start < text.Length ? text[start..].IndexOfAny(quote, '\n', '\r') : -1;
            end = close < 0 ? text.Length : start + close;
            kind = ContinueKind.QuotedValue;
        }
        else
        {
            var lineEnd = text[start..].IndexOfAny(CharSets.LineEnds);
            end = lineEnd < 0 ? text.Length : start + lineEnd;
            kind = ContinueKind.LineValue;
        }
        var open = RunsOff(text, end, context);
        if (!open && !quoted)
        {
            // A comment after the value, and trailing spaces, are not the value.
            var comment = text[start..end].IndexOf(" #", StringComparison.Ordinal);
            end = comment < 0 ? end : start + comment;
            while (end > start && text[end - 1] is ' ' or '\t')
            {
                end--;
            }
        }
        if (!open && (end <= start || (!quoted && !IsValue(text[start..end])) || (verdict == NameVerdict.IfCredentialShaped && !SecretNames.IsCredentialShaped(text[start..end]))))
        {
            return;
        }
        if (start < text.Length && (text[start] == '$' || IsMarker(text, start) || (!quoted && text[start] is '{' or '[' or '|' or '>' or '&' or '*' or '!')))
        {
            return;
        }
        spans.Add(new SecretSpan(start, end, Index, open, Continuation.Of(kind)));
    }

    /// <summary>
    /// True when only spaces, tabs and a list item's dash stand between the line's start (or the quote opening a
    /// string that holds the file) and the name.
    /// </summary>
    private static bool AtLineStart(ReadOnlySpan<char> text, int nameStart, in ScanContext context)
    {
        var i = nameStart;
        while (i > 0 && text[i - 1] is ' ' or '\t' or '-')
        {
            if (text[i - 1] == '-' && (i - 1 == 0 || text[i - 2] is not (' ' or '\t' or '\n' or '\r')))
            {
                return false;
            }
            i--;
        }
        return i == 0 ? context.StartIsLineStart : text[i - 1] is '\n' or '\r' or '"' or '\'';
    }

    /// <summary>A bare value: one word that is not a YAML keyword nor code.</summary>
    private static bool IsValue(ReadOnlySpan<char> value)
    {
        if (value.IndexOfAny(' ', '\t') >= 0 || value is "null" or "~" or "true" or "false" or "yes" or "no" or "True" or "False" or "None")
        {
            return false;
        }
        var last = value[^1];
        if (last is ',' or ';' || value.IndexOfAny('(', ')') >= 0)
        {
            // A line of code (an object literal's member): an identifier or a member access is not a secret.
            var trimmed = value.TrimEnd(",;");
            return trimmed.IndexOfAny(CharSets.DigitChars) >= 0 && trimmed.IndexOfAnyExcept(CharSets.Name) >= 0 && trimmed.IndexOfAny('(', ')') < 0;
        }
        return true;
    }
}
