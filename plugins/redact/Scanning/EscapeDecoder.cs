using System.Buffers;

namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>
/// Decodes the escapes a secret may be written with, so that it is recognised whatever encoding surrounds it: JSON
/// (<c>\n</c>, <c>\t</c>, <c>\"</c>, <c>\/</c>, <c>\uXXXX</c>…), the <c>\xHH</c> of C, Python and JavaScript
/// strings, and URL percent-encoding (<c>%XX</c>). The decoded text maps back to the escaped one.
/// </summary>
internal static class EscapeDecoder
{
    private static readonly SearchValues<char> Starts = SearchValues.Create("\\%");
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>True when <paramref name="text"/> holds something that may be an escape.</summary>
    public static bool MayHaveEscapes(ReadOnlySpan<char> text) => text.ContainsAny(Starts);

    /// <summary>
    /// Writes <paramref name="text"/> decoded into <paramref name="view"/> (base positions are positions in
    /// <paramref name="text"/>). Returns false when there was no escape (the view is then not needed);
    /// <paramref name="again"/> is true when decoding made a backslash or a percent sign, which may start an escape
    /// of a next level (<c>\\u0073</c>, <c>%2520</c>).
    /// </summary>
    /// <param name="endIsOpen">
    /// The text may go on (a read of a stream): an escape cut by its end (<c>%5</c>, <c>\u00</c>, a lone <c>\</c>)
    /// becomes <see cref="CutEscape"/>, so that a secret running into it runs off the end, open, instead of
    /// seeming to end at the <c>%</c> or <c>\</c> while its rest comes in the next read.
    /// </param>
    public static bool Decode(ReadOnlySpan<char> text, MappedText view, out bool again, bool endIsOpen = false)
    {
        view.Clear();
        again = false;
        var decoded = false;
        var position = 0;
        while (position < text.Length)
        {
            var next = text[position..].IndexOfAny(Starts);
            if (next < 0)
            {
                break;
            }
            var at = position + next;
            if (!TryEscape(text, at, out var c, out var length))
            {
                if (endIsOpen && IsCut(text[at..]))
                {
                    view.AppendCopy(text[position..at], position);
                    view.AppendEscape(CutEscape, at, text.Length - at);
                    return true;
                }
                view.AppendCopy(text[position..(at + 1)], position);
                position = at + 1;
                continue;
            }
            view.AppendCopy(text[position..at], position);
            view.AppendEscape(c, at, length);
            decoded = true;
            again |= c is '\\' or '%';
            position = at + length;
        }
        if (!decoded)
        {
            return false;
        }
        view.AppendCopy(text[position..], position);
        return true;
    }

    /// <summary>
    /// What an escape cut by the end of an open text decodes to: a letter-or-digit found in every secret's characters,
    /// standing for the character not read yet.
    /// </summary>
    public const char CutEscape = '0';

    /// <summary>True when <paramref name="rest"/> (from a <c>%</c> or <c>\</c> to the end) is the start of an escape the end cut.</summary>
    private static bool IsCut(ReadOnlySpan<char> rest)
    {
        if (rest[0] == '%')
        {
            return rest.Length < 3 && IsHex(rest[1..]);
        }
        if (rest.Length == 1)
        {
            return true;
        }
        return rest[1] switch
        {
            'u' => rest.Length < 6 && IsHex(rest[2..]),
            'x' => rest.Length < 4 && IsHex(rest[2..]),
            _ => false,
        };
    }

    private static bool IsHex(ReadOnlySpan<char> digits) => !digits.ContainsAnyExcept(HexDigits);

    /// <summary>The escape at <paramref name="at"/>: the character it stands for and its length.</summary>
    private static bool TryEscape(ReadOnlySpan<char> text, int at, out char c, out int length)
    {
        c = '\0';
        length = 0;
        if (text[at] == '%')
        {
            if (at + 2 < text.Length && TryHex(text.Slice(at + 1, 2), out c))
            {
                length = 3;
                return true;
            }
            return false;
        }
        if (at + 1 >= text.Length)
        {
            return false;
        }
        switch (text[at + 1])
        {
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            case 'r':
                c = '\r';
                break;
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case '/' or '\\' or '"' or '\'':
                c = text[at + 1];
                break;
            case 'u' when at + 5 < text.Length && TryHex(text.Slice(at + 2, 4), out c):
                length = 6;
                return true;
            case 'x' when at + 3 < text.Length && TryHex(text.Slice(at + 2, 2), out c):
                length = 4;
                return true;
            default:
                return false;
        }
        length = 2;
        return true;
    }

    private static bool TryHex(ReadOnlySpan<char> digits, out char c)
    {
        var value = 0;
        foreach (var d in digits)
        {
            var v = char.IsAsciiDigit(d) ? d - '0' : d is >= 'a' and <= 'f' ? d - 'a' + 10 : d is >= 'A' and <= 'F' ? d - 'A' + 10 : -1;
            if (v < 0)
            {
                c = '\0';
                return false;
            }
            value = (value << 4) | v;
        }
        c = (char)value;
        return true;
    }
}
