using AgentSight.Contracts;
using AgentSight.Plugins.Common.Filters;
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
    internal IEnumerable<(string Key, string Expression)> Expressions() => FilterPatterns.InForce(Presets, Patterns, SslFilterPresets.All);

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate() =>
        FilterPatterns.Validate(Presets, Patterns, SslFilterPresets.All, expression => SslExpressionParser.Parse(expression));
}
