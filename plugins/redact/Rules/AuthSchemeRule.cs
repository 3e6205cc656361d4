using System.Buffers;
using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>
/// A credential after an HTTP authentication scheme anywhere in text: <c>Bearer &lt;token&gt;</c> (with a digit, at
/// least 12 characters) or <c>Basic &lt;base64 of user:password&gt;</c>.
/// </summary>
internal sealed class AuthSchemeRule : ScanRule
{
    private readonly string _scheme;
    private readonly SearchValues<char> _chars;

    private AuthSchemeRule(string id, string scheme, SearchValues<char> chars)
        : base(id, 10)
    {
        _scheme = scheme;
        _chars = chars;
    }

    public static AuthSchemeRule Bearer() => new("bearer-token", "bearer ", CharSets.Bearer);

    public static AuthSchemeRule Basic() => new("basic-auth", "basic ", CharSets.Base64);

    public override IEnumerable<string> Triggers => [_scheme];

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        if (at > 0 && CharSets.IsAlphanumeric(text[at - 1]))
        {
            return;
        }
        var start = at + _scheme.Length;
        while (start < text.Length && text[start] == ' ')
        {
            start++;
        }
        var end = RunEnd(text, start, _chars);
        var open = RunsOff(text, end, context);
        // Judged with its trailing dots, which a token may end with: a 12-character token ending in '.' is still one.
        if (!open && !Plausible(text[start..end]))
        {
            return;
        }
        if (!open)
        {
            // A sentence's full stop is not replaced ("… Bearer abc123." keeps its '.').
            while (end > start && text[end - 1] == '.')
            {
                end--;
            }
        }
        if (end > start || open)
        {
            spans.Add(new SecretSpan(start, end, Index, open, Continuation.Token(_chars)));
        }
    }

    private bool Plausible(ReadOnlySpan<char> token)
    {
        if (_scheme == "bearer ")
        {
            return token.Length >= 12 && token.IndexOfAny(CharSets.DigitChars) >= 0;
        }
        // Basic: base64 of "user:password", so it decodes, and to something with a colon.
        if (token.Length < 8 || token.Length > 1024)
        {
            return false;
        }
        Span<byte> decoded = stackalloc byte[token.Length];
        return Convert.TryFromBase64Chars(token, decoded, out var written) && decoded[..written].IndexOf((byte)':') > 0;
    }
}
