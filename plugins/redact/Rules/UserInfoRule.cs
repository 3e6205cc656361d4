using System.Buffers;
using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>
/// The password in a URL's userinfo, <c>scheme://user:password@host</c> (<c>git clone https://oauth2:TOKEN@…</c>,
/// <c>postgresql://app:pw@db/…</c>, <c>redis://:pw@cache</c>), or the whole userinfo when it is a bare token
/// (<c>https://TOKEN@github.com/…</c>). The user name and the host stay.
/// </summary>
internal sealed class UserInfoRule() : ScanRule("url-userinfo", 15)
{
    /// <summary>The longest authority (userinfo and host) looked at.</summary>
    private const int MaxAuthority = 512;

    /// <summary>The fewest characters of a userinfo without a colon for it to be taken as a token rather than a user name.</summary>
    private const int MinBareToken = 16;

    /// <summary>What ends an authority: the path, query or fragment, and what ends a URL in text.</summary>
    /// <summary>What a host name's label is made of, as written in URLs.</summary>
    private static readonly SearchValues<char> HostLabel = SearchValues.Create("abcdefghijklmnopqrstuvwxyz-");

    private static readonly SearchValues<char> AuthorityEnds = SearchValues.Create("/?#@ \t\r\n\"'<>`\\[]{}|^");

    public override IEnumerable<string> Triggers => ["://"];

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        // A scheme: a letter, then letters, digits, '+', '-', '.' (git+ssh, mongodb+srv).
        var schemeStart = at;
        while (schemeStart > 0 && (char.IsAsciiLetterOrDigit(text[schemeStart - 1]) || text[schemeStart - 1] is '+' or '-' or '.'))
        {
            schemeStart--;
        }
        if (schemeStart == at || !char.IsAsciiLetter(text[schemeStart]))
        {
            return;
        }
        var start = at + 3;
        var limit = Math.Min(text.Length, start + MaxAuthority);
        // The userinfo ends at the last '@' before the authority's end (a password may hold an '@' its writer forgot to escape).
        var userEnd = -1;
        var position = start;
        while (position < limit)
        {
            var stop = text[position..limit].IndexOfAny(AuthorityEnds);
            if (stop < 0)
            {
                position = limit;
                break;
            }
            position += stop;
            if (text[position] != '@')
            {
                break;
            }
            userEnd = position;
            position++;
        }
        var runsOff = position >= text.Length && context.EndIsOpen;
        if (userEnd < 0)
        {
            // No '@' yet: at the end of a read, "user:pa" may be the start of a userinfo that the next read completes,
            // and so may a run that reads like a token rather than a host (no dot, letters and digits).
            if (runsOff && text[start..].IndexOf(':') is var colon && colon >= 0)
            {
                spans.Add(new SecretSpan(start + colon + 1, text.Length, Index, true, Continuation.Of(ContinueKind.UserInfo)));
            }
            else if (runsOff && MayBeToken(text[start..]))
            {
                spans.Add(new SecretSpan(start, text.Length, Index, true, Continuation.Of(ContinueKind.UserInfo)));
            }
            return;
        }
        var userinfo = text[start..userEnd];
        var separator = userinfo.IndexOf(':');
        int secretStart;
        if (separator >= 0)
        {
            secretStart = start + separator + 1;
        }
        else if (IsBareToken(userinfo))
        {
            secretStart = start;
        }
        else
        {
            return;
        }
        if (secretStart >= userEnd || text[secretStart] == '$' || IsMarker(text, secretStart))
        {
            return; // No password (user:@host), a variable (${TOKEN}), or already replaced.
        }
        spans.Add(new SecretSpan(secretStart, userEnd, Index, false, Continuation.None));
    }

    /// <summary>
    /// The start of an authority cut by the end of a read that may be a token's: 8 or more token characters, not all
    /// digits, that do not read like a host name's label (lowercase letters and <c>-</c>): a digit, a capital or an
    /// <c>_</c> is in it. A token's first characters need not hold a digit (<c>OJQIywes…</c>), and host names in URLs
    /// are written in lowercase.
    /// </summary>
    private static bool MayBeToken(ReadOnlySpan<char> run) =>
        run.Length >= 8 && run.IndexOfAnyExcept(CharSets.Token) < 0 && run.IndexOfAnyExcept(HostLabel) >= 0
        && run.IndexOfAnyExcept(CharSets.DigitChars) >= 0;

    /// <summary>
    /// A userinfo without a password that is a token rather than a user name: long, only token characters (no dot,
    /// unlike <c>john.doe</c>), at least two digits and two letters.
    /// </summary>
    private static bool IsBareToken(ReadOnlySpan<char> userinfo)
    {
        if (userinfo.Length < MinBareToken || userinfo.IndexOfAnyExcept(CharSets.Token) >= 0)
        {
            return false;
        }
        int digits = 0, letters = 0;
        foreach (var c in userinfo)
        {
            digits += char.IsAsciiDigit(c) ? 1 : 0;
            letters += char.IsAsciiLetter(c) ? 1 : 0;
        }
        return digits >= 2 && letters >= 2;
    }
}
