using System.Buffers;
using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>A key with a fixed prefix and a body of known characters: <c>sk-ant-…</c>, <c>AIza…</c>, <c>ghp_…</c>.</summary>
internal sealed class TokenRule : ScanRule
{
    private readonly string[] _prefixes;
    private readonly string[] _triggers;
    private readonly string[] _excluded;
    private readonly SearchValues<char> _body;
    private readonly int _minLength;
    private readonly int _exactLength;
    private readonly bool _needsDigit;

    /// <param name="id">Rule name.</param>
    /// <param name="prefixes">Case-sensitive prefixes.</param>
    /// <param name="body">Characters after the prefix.</param>
    /// <param name="minLength">Fewest body characters (ignored when <paramref name="exactLength"/> is set).</param>
    /// <param name="exactLength">Exact body length, also requiring no letter or digit right after; 0 for none.</param>
    /// <param name="needsDigit">The body must hold a digit: random keys do, words joined by dashes do not.</param>
    /// <param name="excluded">Prefixes another rule owns (<c>sk-ant-</c> is not an OpenAI key).</param>
    /// <param name="triggers">What the scanner searches for, when shorter than the prefixes (<c>xox</c> for <c>xoxb-</c>, <c>xoxp-</c>…).</param>
    public TokenRule(string id, string[] prefixes, SearchValues<char> body, int minLength, int exactLength = 0, bool needsDigit = false,
        string[]? excluded = null, string[]? triggers = null)
        : base(id, 10)
    {
        _prefixes = prefixes;
        _triggers = triggers ?? prefixes;
        _body = body;
        _minLength = minLength;
        _exactLength = exactLength;
        _needsDigit = needsDigit;
        _excluded = excluded ?? [];
    }

    public override IEnumerable<string> Triggers => _triggers;

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
        var rest = text[at..];
        if (at > 0 && CharSets.IsAlphanumeric(text[at - 1]))
        {
            return;
        }
        string? prefix = null;
        foreach (var candidate in _prefixes)
        {
            if (rest.StartsWith(candidate, StringComparison.Ordinal))
            {
                prefix = candidate;
                break;
            }
        }
        if (prefix is null)
        {
            return;
        }
        foreach (var excluded in _excluded)
        {
            if (rest.StartsWith(excluded, StringComparison.Ordinal))
            {
                return;
            }
        }
        var bodyStart = at + prefix.Length;
        var end = RunEnd(text, bodyStart, _body);
        var open = RunsOff(text, end, context);
        if (!open)
        {
            var length = end - bodyStart;
            if (_exactLength > 0)
            {
                if (length != _exactLength || (end < text.Length && CharSets.IsAlphanumeric(text[end])))
                {
                    return;
                }
            }
            else if (length < _minLength)
            {
                return;
            }
            if (_needsDigit && text[bodyStart..end].IndexOfAny(CharSets.DigitChars) < 0)
            {
                return;
            }
        }
        spans.Add(new SecretSpan(at, end, Index, open, Continuation.Token(_body)));
    }
}
