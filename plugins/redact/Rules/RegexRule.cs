using System.Text.RegularExpressions;
using AgentSight.Plugins.Redact.Scanning;

namespace AgentSight.Plugins.Redact.Rules;

/// <summary>A pattern from the configuration (<c>extra_patterns</c>): every match is replaced.</summary>
/// <remarks>
/// Compiled with <see cref="RegexOptions.NonBacktracking"/>, so a pattern cannot take more than linear time on
/// hostile input. It has no trigger: it runs over every text, which is the price of a pattern the scanner knows
/// nothing about.
/// </remarks>
internal sealed class RegexRule(string id, Regex regex) : ScanRule(id, 10)
{
    public const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    public override IEnumerable<string> Triggers => [];

    public override void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans)
    {
    }

    /// <summary>Adds every match that starts before <paramref name="searchEnd"/>.</summary>
    public void MatchAll(ReadOnlySpan<char> text, int searchEnd, in ScanContext context, List<SecretSpan> spans)
    {
        foreach (var match in regex.EnumerateMatches(text))
        {
            if (match.Index >= searchEnd)
            {
                break;
            }
            if (match.Length > 0)
            {
                var end = match.Index + match.Length;
                spans.Add(new SecretSpan(match.Index, end, Index, RunsOff(text, end, context), Continuation.None));
            }
        }
    }
}
