using System.Text.RegularExpressions;

namespace AgentSight.Plugins.Cost;

/// <summary>One row of a price table, ready to match: USD per million tokens of each kind.</summary>
internal sealed record ModelPrice(string Pattern, double Input, double Output, double? CacheRead, double? CacheWrite, double? Reasoning)
{
    // Built on the first call to match, not with the table: building forty non-backtracking automata took 0.28 s of
    // every recording's start (docs/PERFORMANCE.md, the start-up section), most of it for models never seen.
    private readonly Lazy<Regex> _regex = new(() => new("^" + Regex.Escape(Pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking));

    /// <summary>How specific the pattern is: its characters other than <c>*</c>. Longer wins, so <c>gpt-4o-mini*</c> beats <c>gpt-4o*</c>.</summary>
    public int Specificity { get; } = Pattern.Count(c => c != '*');

    public bool Matches(string model) => _regex.Value.IsMatch(model);
}
