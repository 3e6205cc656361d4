using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>
/// The password of a PostgreSQL <c>.pgpass</c> line, <c>host:port:database:user:password</c> (<c>\:</c> escapes a
/// colon), at the start of a line or of a quoted string. Found through the port: 5430 to 5439 or <c>*</c>.
/// </summary>
internal sealed class PgpassRule() : ScanRule("pgpass", 20)
{
    private const int MaxLine = 1024;

    private static readonly System.Buffers.SearchValues<char> HostStops = System.Buffers.SearchValues.Create(" \t/@\"'");

    public override IEnumerable<string> Triggers => [":543", ":*:"];

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        var lineStart = at;
        // A line starts after a line end, or after the quote that opens a string holding the file.
        while (lineStart > 0 && text[lineStart - 1] is not ('\n' or '\r' or '"' or '\''))
        {
            if (at - lineStart > MaxLine)
            {
                return;
            }
            lineStart--;
        }
        var lineEnd = text[at..].IndexOfAny(CharSets.LineEnds);
        lineEnd = lineEnd < 0 ? text.Length : at + lineEnd;
        if (lineEnd - lineStart > MaxLine)
        {
            return;
        }
        // Four fields and their colons, then the password to the line's end.
        var position = lineStart;
        for (var field = 0; field < 4; field++)
        {
            var end = FieldEnd(text, position, lineEnd);
            if (end >= lineEnd || end == position || !Valid(field, text[position..end]))
            {
                if (end >= lineEnd && field == 3 && end > position && lineEnd == text.Length && context.EndIsOpen && Valid(field, text[position..end]))
                {
                    // The line is cut in its user field: the password may follow in the next read.
                    spans.Add(new SecretSpan(lineEnd, lineEnd, Index, true, Continuation.Of(ContinueKind.LineValue)));
                }
                return;
            }
            position = end + 1;
        }
        var open = RunsOff(text, lineEnd, context);
        if ((lineEnd <= position && !open) || (position < text.Length && IsMarker(text, position)))
        {
            return;
        }
        spans.Add(new SecretSpan(position, lineEnd, Index, open, Continuation.Of(ContinueKind.LineValue)));
    }

    /// <summary>The next unescaped colon from <paramref name="from"/>, or <paramref name="lineEnd"/>.</summary>
    private static int FieldEnd(ReadOnlySpan<char> text, int from, int lineEnd)
    {
        for (var i = from; i < lineEnd; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == ':')
            {
                return i;
            }
        }
        return lineEnd;
    }

    private static bool Valid(int field, ReadOnlySpan<char> value) => field switch
    {
        0 => value.IndexOfAny(HostStops) < 0,
        1 => value is "*" || (value.Length is >= 1 and <= 5 && value.IndexOfAnyExcept(CharSets.DigitChars) < 0),
        _ => value.IndexOfAny(' ', '\t') < 0,
    };
}
