using AgentSight.Contracts;

namespace AgentSight.Plugins.Common.Filters;

/// <summary>
/// What the filter analyzers' configurations share: named <c>presets</c> and written <c>patterns</c>, the
/// expressions they put in force, and the errors of either, keyed as the manifest writes them.
/// </summary>
public static class FilterPatterns
{
    /// <summary>Every expression in force: the presets' then the patterns, with the key each comes from.</summary>
    /// <param name="presets">The <c>presets</c> as configured; unknown names are left to <see cref="Validate"/>.</param>
    /// <param name="patterns">The <c>patterns</c> as configured.</param>
    /// <param name="known">The filter's presets by name.</param>
    public static IEnumerable<(string Key, string Expression)> InForce(
        IReadOnlyList<string> presets, IReadOnlyList<string> patterns, IReadOnlyDictionary<string, string> known)
    {
        for (var i = 0; i < presets.Count; i++)
        {
            if (presets[i] is { } name && known.TryGetValue(name, out var preset))
            {
                yield return ($"presets[{i}]", preset);
            }
        }
        for (var i = 0; i < patterns.Count; i++)
        {
            yield return ($"patterns[{i}]", patterns[i]);
        }
    }

    /// <summary>An error for each unknown preset, null pattern and pattern that does not parse.</summary>
    /// <param name="presets">The <c>presets</c> as configured.</param>
    /// <param name="patterns">The <c>patterns</c> as configured.</param>
    /// <param name="known">The filter's presets by name.</param>
    /// <param name="parse">The filter's parser; it throws <see cref="FilterSyntaxException"/> for what it cannot read.</param>
    public static IEnumerable<ConfigError> Validate(
        IReadOnlyList<string> presets, IReadOnlyList<string> patterns, IReadOnlyDictionary<string, string> known, Action<string> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        for (var i = 0; i < presets.Count; i++)
        {
            if (presets[i] is not { } name || !known.ContainsKey(name))
            {
                yield return new ConfigError($"presets[{i}]",
                    $"unknown preset \"{presets[i]}\" (known: {string.Join(", ", known.Keys)})");
            }
        }
        for (var i = 0; i < patterns.Count; i++)
        {
            if (patterns[i] is null)
            {
                yield return new ConfigError($"patterns[{i}]", "must be an expression, not null");
            }
            else if (ParseError(parse, patterns[i]) is { } error)
            {
                yield return new ConfigError($"patterns[{i}]", error.Message);
            }
        }
    }

    private static FilterSyntaxException? ParseError(Action<string> parse, string expression)
    {
        try
        {
            parse(expression);
            return null;
        }
        catch (FilterSyntaxException ex)
        {
            return ex;
        }
    }
}
