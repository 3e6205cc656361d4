using AgentSight.Contracts;
using AgentSight.Plugins.SslFilter.Expressions;

namespace AgentSight.Plugins.SslFilter;

/// <summary>Configuration of the <c>ssl-filter</c> analyzer.</summary>
public sealed class SslFilterConfig : PluginConfig
{
    /// <summary>
    /// Expressions (<c>patterns</c>); an <c>ssl</c> event that matches any of them is dropped, like the original's
    /// repeated <c>--ssl-filter</c>. Default none: every event passes. See docs/FILTERS.md.
    /// </summary>
    public List<string> Patterns { get; set; } = [];

    /// <summary>Named expression sets added to <see cref="Patterns"/> (<c>presets</c>): <c>record</c>. Default none.</summary>
    public List<string> Presets { get; set; } = [];

    /// <summary>Every expression in force: the presets' then the patterns, with the key each comes from.</summary>
    internal IEnumerable<(string Key, string Expression)> Expressions()
    {
        for (var i = 0; i < Presets.Count; i++)
        {
            if (Presets[i] is { } name && SslFilterPresets.All.TryGetValue(name, out var preset))
            {
                yield return ($"presets[{i}]", preset);
            }
        }
        for (var i = 0; i < Patterns.Count; i++)
        {
            yield return ($"patterns[{i}]", Patterns[i]);
        }
    }

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        for (var i = 0; i < Presets.Count; i++)
        {
            if (Presets[i] is not { } name || !SslFilterPresets.All.ContainsKey(name))
            {
                yield return new ConfigError($"presets[{i}]",
                    $"unknown preset \"{Presets[i]}\" (known: {string.Join(", ", SslFilterPresets.All.Keys)})");
            }
        }
        for (var i = 0; i < Patterns.Count; i++)
        {
            if (Patterns[i] is null)
            {
                yield return new ConfigError($"patterns[{i}]", "must be an expression, not null");
            }
            else if (!SslExpressionParser.TryParse(Patterns[i], out _, out var error))
            {
                yield return new ConfigError($"patterns[{i}]", error!.Message);
            }
        }
    }
}
