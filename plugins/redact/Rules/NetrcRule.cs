using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>
/// The password of a <c>.netrc</c> entry: <c>machine HOST login USER password PASSWORD</c>, on one line or several,
/// the word after <c>password</c> when a <c>machine</c> or <c>default</c> entry is open before it.
/// </summary>
internal sealed class NetrcRule() : ScanRule("netrc", 20)
{
    /// <summary>How far back the entry's <c>machine</c> may be.</summary>
    private const int LookBack = 512;

    public override IEnumerable<string> Triggers => ["passw"];

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        const string Keyword = "password";
        var after = at + Keyword.Length;
        if (!text[at..].StartsWith(Keyword, StringComparison.Ordinal) || after >= text.Length || text[after] is not (' ' or '\t')
            || (at > 0 && text[at - 1] is not (' ' or '\t' or '\n' or '\r')))
        {
            return;
        }
        var before = text[Math.Max(0, at - LookBack)..at];
        if (!HasWord(before, "machine") && !HasWord(before, "default"))
        {
            return;
        }
        var start = after;
        while (start < text.Length && text[start] is ' ' or '\t')
        {
            start++;
        }
        var stop = start < text.Length ? text[start..].IndexOfAny(CharSets.WordEnds) : 0;
        var end = stop < 0 ? text.Length : start + stop;
        var open = RunsOff(text, end, context);
        if ((end <= start && !open) || (start < text.Length && IsMarker(text, start)))
        {
            return;
        }
        spans.Add(new SecretSpan(start, end, Index, open, Continuation.Of(ContinueKind.ParamValue)));
    }

    /// <summary>True when <paramref name="word"/> is in <paramref name="text"/> as a whole word followed by a space.</summary>
    private static bool HasWord(ReadOnlySpan<char> text, string word)
    {
        var from = 0;
        while (from < text.Length)
        {
            var found = text[from..].IndexOf(word, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }
            var at = from + found;
            var end = at + word.Length;
            if ((at == 0 || text[at - 1] is ' ' or '\t' or '\n' or '\r' or '"' or '\'') && end < text.Length && text[end] is ' ' or '\t' or '\n' or '\r')
            {
                return true;
            }
            from = at + 1;
        }
        return false;
    }
}
