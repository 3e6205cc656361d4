using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>
/// Credentials given on a command line: the value after a long flag named like a credential (<c>--api-key V</c>,
/// <c>--token V</c>, <c>--password V</c>, <c>--client-secret "V"</c>), and the flags of a few commands that take a
/// password in a short flag: <c>curl -u user:pw</c> (<c>--user</c>, <c>-U</c>, <c>--proxy-user</c>; the part after
/// the colon), <c>curl --oauth2-bearer V</c>, <c>mysql -pPW</c> (<c>mysqldump</c>, <c>mysqladmin</c>…),
/// <c>sshpass -p PW</c>, <c>redis-cli -a PW</c>. In text (a tool call's command, a shell history line) and in a
/// process's argv, whose elements are also read joined by spaces.
/// </summary>
internal sealed class FlagRule(SecretNames names) : ScanRule("cli-flag", 25)
{
    /// <summary>The most characters of a command read after its name.</summary>
    private const int MaxCommand = 4096;

    private static readonly string[] Commands = ["curl", "mysql", "sshpass", "redis-cli"];

    public override IEnumerable<string> Triggers =>
        TriggerWords.With(names.ExtraParams, Commands);

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        if (Array.IndexOf(Commands, trigger) >= 0)
        {
            MatchCommand(text, at, trigger, context, spans);
        }
        else
        {
            MatchLongFlag(text, at, trigger, context, spans);
        }
    }

    /// <summary><c>--name value</c> with a name like a credential's.</summary>
    private void MatchLongFlag(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        if (TriggerWords.CannotEndName(text, at, trigger))
        {
            return;
        }
        var (nameStart, nameEnd) = Names.Around(text, at);
        if (nameStart < 0 || nameEnd - nameStart < 4 || !text[nameStart..].StartsWith("--", StringComparison.Ordinal)
            || text[nameStart..].StartsWith("--no-", StringComparison.Ordinal)
            || (nameStart > 0 && !IsSeparator(text[nameStart - 1])))
        {
            return;
        }
        var start = nameEnd;
        while (start < text.Length && text[start] is ' ' or '\t')
        {
            start++;
        }
        if (start == nameEnd || start >= text.Length || names.Parameter(text[(nameStart + 2)..nameEnd], inUrl: false) == NameVerdict.No)
        {
            return;
        }
        AddValue(text, start, context, spans, plausible: true);
    }

    private void MatchCommand(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        if ((at > 0 && !IsSeparator(text[at - 1]) && text[at - 1] != '/') || !text[at..].StartsWith(trigger, StringComparison.Ordinal))
        {
            return;
        }
        var nameEnd = at + trigger.Length;
        // mysql, mysqldump, mysqladmin, mysqlimport, mysqlshow: the -p flag means the same to all.
        while (trigger == "mysql" && nameEnd < text.Length && char.IsAsciiLetterLower(text[nameEnd]))
        {
            nameEnd++;
        }
        if (nameEnd >= text.Length || text[nameEnd] is not (' ' or '\t'))
        {
            return;
        }
        var end = CommandEnd(text, nameEnd);
        var position = nameEnd;
        while (NextWord(text, ref position, end) is var (wordStart, wordEnd) && wordStart >= 0)
        {
            var word = text[wordStart..wordEnd];
            switch (trigger)
            {
                case "curl" when word is "-u" or "--user" or "-U" or "--proxy-user":
                    if (NextWord(text, ref position, end) is var (valueStart, valueEnd) && valueStart >= 0)
                    {
                        AddAfterColon(text, valueStart, valueEnd, end, context, spans);
                    }
                    break;
                case "curl" when word.Length > 2 && (word.StartsWith("-u", StringComparison.Ordinal) || word.StartsWith("-U", StringComparison.Ordinal)):
                    AddAfterColon(text, wordStart + 2, wordEnd, end, context, spans);
                    break;
                case "curl" when word is "--oauth2-bearer":
                    AddValue(text, Skip(text, position), context, spans, plausible: false);
                    break;
                case "mysql" when word.Length > 2 && word.StartsWith("-p", StringComparison.Ordinal):
                    AddValue(text, wordStart + 2, context, spans, plausible: false);
                    break;
                case "sshpass" when word.Length > 2 && word.StartsWith("-p", StringComparison.Ordinal):
                    AddValue(text, wordStart + 2, context, spans, plausible: false);
                    break;
                case "sshpass" when word is "-p":
                case "redis-cli" when word is "-a" or "--pass":
                    AddValue(text, Skip(text, position), context, spans, plausible: false);
                    break;
            }
        }
    }

    /// <summary>A value (quoted, or a word) starting at <paramref name="start"/>.</summary>
    private void AddValue(ReadOnlySpan<char> text, int start, in ScanContext context, List<SecretSpan> spans, bool plausible)
    {
        if (start >= text.Length)
        {
            if (context.EndIsOpen && start == text.Length)
            {
                spans.Add(new SecretSpan(start, start, Index, true, Continuation.Of(ContinueKind.ParamValue)));
            }
            return;
        }
        int end;
        ContinueKind kind;
        if (text[start] is '"' or '\'')
        {
            var quote = text[start];
            start++;
            var close = start < text.Length ? text[start..].IndexOfAny(quote, '\n', '\\') : -1;
            end = close < 0 ? text.Length : start + close;
            kind = ContinueKind.QuotedValue;
        }
        else
        {
            var stop = text[start..].IndexOfAny(CharSets.WordEnds);
            end = stop < 0 ? text.Length : start + stop;
            kind = ContinueKind.ParamValue;
        }
        var open = RunsOff(text, end, context);
        if (start < text.Length && (text[start] is '-' or '$' || IsMarker(text, start)))
        {
            return; // The next flag (the value was prompted for), a variable, or already replaced.
        }
        if (!open && (end <= start || (plausible && !Plausible(text[start..end]))))
        {
            return;
        }
        spans.Add(new SecretSpan(start, end, Index, open, Continuation.Of(kind)));
    }

    /// <summary>The password of <c>user:password</c> in [start, end).</summary>
    private void AddAfterColon(ReadOnlySpan<char> text, int start, int end, int commandEnd, in ScanContext context, List<SecretSpan> spans)
    {
        var quoted = text[start] is '"' or '\'';
        var colon = text[start..end].IndexOf(':');
        if (colon < 0)
        {
            if (end >= text.Length && context.EndIsOpen && commandEnd >= text.Length)
            {
                // "user" cut by the end of a read: its password may follow in the next.
                spans.Add(new SecretSpan(end, end, Index, true, Continuation.Of(ContinueKind.ParamValue)));
            }
            return;
        }
        var valueStart = start + colon + 1;
        var valueEnd = quoted && end > valueStart && text[end - 1] == text[start] ? end - 1 : end;
        var open = RunsOff(text, end, context);
        if ((valueEnd <= valueStart && !open) || (valueStart < text.Length && (text[valueStart] == '$' || IsMarker(text, valueStart))))
        {
            return;
        }
        spans.Add(new SecretSpan(valueStart, valueEnd, Index, open, Continuation.Of(quoted ? ContinueKind.QuotedValue : ContinueKind.ParamValue)));
    }

    /// <summary>A flag's value: a password-like word, not a word of prose (<c>the --password flag</c>).</summary>
    private static bool Plausible(ReadOnlySpan<char> value) =>
        SecretNames.IsCredentialShaped(value)
        || (value.Length >= 4 && value.IndexOfAny(CharSets.DigitChars) >= 0 && value.IndexOfAnyInRange('A', 'z') >= 0);

    /// <summary>Where a shell command ends: a line end, a pipe, a ';', '&amp;&amp;', or <see cref="MaxCommand"/> characters.</summary>
    private static int CommandEnd(ReadOnlySpan<char> text, int from)
    {
        var limit = Math.Min(text.Length, from + MaxCommand);
        var stop = text[from..limit].IndexOfAny(CharSets.CommandEnds);
        return stop < 0 ? limit : from + stop;
    }

    /// <summary>The next word of [position, end) (quotes kept), or (-1, -1); moves <paramref name="position"/> past it.</summary>
    private static (int Start, int End) NextWord(ReadOnlySpan<char> text, ref int position, int end)
    {
        var start = position;
        while (start < end && text[start] is ' ' or '\t')
        {
            start++;
        }
        if (start >= end)
        {
            position = end;
            return (-1, -1);
        }
        int stop;
        if (text[start] is '"' or '\'')
        {
            var close = start + 1 < end ? text[(start + 1)..end].IndexOf(text[start]) : -1;
            stop = close < 0 ? end : start + 2 + close;
        }
        else
        {
            var space = text[start..end].IndexOfAny(' ', '\t');
            stop = space < 0 ? end : start + space;
        }
        position = stop;
        return (start, stop);
    }

    private static int Skip(ReadOnlySpan<char> text, int position)
    {
        while (position < text.Length && text[position] is ' ' or '\t')
        {
            position++;
        }
        return position;
    }

    private static bool IsSeparator(char c) => c is ' ' or '\t' or '\n' or '\r' or '"' or '\'' or '`' or '(' or ';' or '|' or '&' or '$' or '=';
}
