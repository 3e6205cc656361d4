using System.Buffers;

namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>The character sets secrets are made of.</summary>
internal static class CharSets
{
    private const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Digits = "0123456789";

    /// <summary>A-Z a-z 0-9.</summary>
    public static SearchValues<char> Base62 { get; } = SearchValues.Create(Letters + Digits);

    /// <summary>Base62 and <c>_</c>.</summary>
    public static SearchValues<char> Base62Underscore { get; } = SearchValues.Create(Letters + Digits + "_");

    /// <summary>Base62, <c>-</c> and <c>_</c> (base64url): most API keys.</summary>
    public static SearchValues<char> Token { get; } = SearchValues.Create(Letters + Digits + "-_");

    /// <summary>Base62 and <c>-</c> (Slack).</summary>
    public static SearchValues<char> Dashed { get; } = SearchValues.Create(Letters + Digits + "-");

    /// <summary>A-Z and 0-9 (AWS key ids).</summary>
    public static SearchValues<char> UpperDigits { get; } = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ" + Digits);

    /// <summary>base64url and <c>.</c> (a JWT, dots included).</summary>
    public static SearchValues<char> Jwt { get; } = SearchValues.Create(Letters + Digits + "-_.");

    /// <summary>An RFC 6750 bearer token (b64token).</summary>
    public static SearchValues<char> Bearer { get; } = SearchValues.Create(Letters + Digits + "-._~+/=");

    /// <summary>Standard base64.</summary>
    public static SearchValues<char> Base64 { get; } = SearchValues.Create(Letters + Digits + "+/=");

    /// <summary>A JSON number.</summary>
    public static SearchValues<char> Number { get; } = SearchValues.Create(Digits + ".eE+-");

    /// <summary>Characters of a name in <c>name=value</c>, a JSON key or a header name.</summary>
    public static SearchValues<char> Name { get; } = SearchValues.Create(Letters + Digits + "-_.");

    /// <summary>Digits.</summary>
    public static SearchValues<char> DigitChars { get; } = SearchValues.Create(Digits);

    /// <summary>What ends a <c>name=value</c> value: the end of a URL parameter, a shell word or a JSON string.</summary>
    public static SearchValues<char> ParamStops { get; } = SearchValues.Create(" \t\r\n&#\"'\\<>`;,)]}");

    /// <summary>What ends a word of a command line.</summary>
    public static SearchValues<char> WordEnds { get; } = SearchValues.Create(" \t\r\n\"'`;|&)");

    /// <summary>What ends a shell command: a line end, a pipe, a ';', an '&amp;', a backquote.</summary>
    public static SearchValues<char> CommandEnds { get; } = SearchValues.Create("\r\n|;&`");

    /// <summary>What ends a URL's userinfo (a password cut by a read goes on to one of these).</summary>
    public static SearchValues<char> UserInfoEnds { get; } = SearchValues.Create("@/?# \t\r\n\"'<>`\\");

    /// <summary>What ends a value of unknown kind (a stream whose state was lost): a line end or a quote.</summary>
    public static SearchValues<char> UnknownEnds { get; } = SearchValues.Create("\r\n\"");

    /// <summary>What ends a header value at the start of a line.</summary>
    public static SearchValues<char> LineEnds { get; } = SearchValues.Create("\r\n");

    /// <summary>What ends a header value written inside quotes (<c>-H "x-api-key: …"</c>).</summary>
    public static SearchValues<char> QuotedEnds { get; } = SearchValues.Create("\r\n\"'\\");

    /// <summary>What ends or escapes within a JSON string.</summary>
    public static SearchValues<char> JsonStringSpecials { get; } = SearchValues.Create("\"\\");

    /// <summary>True for A-Z a-z 0-9.</summary>
    public static bool IsAlphanumeric(char c) => char.IsAsciiLetterOrDigit(c);
}
