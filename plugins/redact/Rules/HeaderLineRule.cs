using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>
/// The value of a sensitive header written as text: at the start of a line (raw HTTP, <c>raw_data</c>) or right
/// after a quote (<c>curl -H "x-api-key: …"</c>). An authentication scheme (<c>Bearer</c>, <c>Basic</c>) is kept so
/// the reader still sees what kind of credential it was.
/// </summary>
/// <remarks>Triggered by a word inside the name (<c>key</c>, <c>auth</c>…); the whole name is then read and looked up.</remarks>
internal sealed class HeaderLineRule(SecretNames names) : ScanRule("header", 40)
{
    private const int MaxScheme = 24;

    public override IEnumerable<string> Triggers =>
        TriggerWords.With(names.ExtraHeaders);

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        if (TriggerWords.CannotEndName(text, at, trigger))
        {
            return;
        }
        var (nameStart, nameEnd) = Names.Around(text, at);
        if (nameStart < 0 || nameEnd >= text.Length || text[nameEnd] != ':')
        {
            return;
        }
        bool quoted;
        if (nameStart == 0)
        {
            if (!context.StartIsLineStart)
            {
                return;
            }
            quoted = false;
        }
        else
        {
            var before = text[nameStart - 1];
            if (before is '\n' or '\r')
            {
                quoted = false;
            }
            else if (before is '"' or '\'')
            {
                quoted = true;
            }
            else
            {
                return;
            }
        }
        if (!names.IsHeader(text[nameStart..nameEnd]))
        {
            return;
        }
        var start = nameEnd + 1;
        while (start < text.Length && text[start] is ' ' or '\t')
        {
            start++;
        }
        var stops = quoted ? CharSets.QuotedEnds : CharSets.LineEnds;
        var length = start < text.Length ? text[start..].IndexOfAny(stops) : 0;
        var end = length < 0 ? text.Length : start + length;
        var open = RunsOff(text, end, context);
        if (!open)
        {
            while (end > start && text[end - 1] is ' ' or '\t')
            {
                end--;
            }
        }
        start = AfterScheme(text, start, end);
        if ((end <= start && !open) || (start < text.Length && IsMarker(text, start)))
        {
            return;
        }
        spans.Add(new SecretSpan(start, end, Index, open, Continuation.Of(quoted ? ContinueKind.QuotedValue : ContinueKind.LineValue)));
    }

    /// <summary>Past a leading scheme word and its spaces (<c>Bearer </c>), when the value has one.</summary>
    public static int AfterScheme(ReadOnlySpan<char> text, int start, int end)
    {
        var i = start;
        while (i < end && i - start <= MaxScheme && (char.IsAsciiLetter(text[i]) || (i > start && text[i] == '-')))
        {
            i++;
        }
        if (i == start || i - start > MaxScheme || i >= end || text[i] != ' ')
        {
            return start;
        }
        while (i < end && text[i] == ' ')
        {
            i++;
        }
        return i < end ? i : start;
    }
}
