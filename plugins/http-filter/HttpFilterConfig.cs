using AgentSight.Contracts;
using AgentSight.Plugins.Common.Filters;
using AgentSight.Plugins.HttpFilter.Expressions;

namespace AgentSight.Plugins.HttpFilter;

/// <summary>Configuration of the <c>http-filter</c> analyzer.</summary>
public sealed class HttpFilterConfig : PluginConfig
{
    /// <summary>The largest accepted <see cref="RelatedCapacity"/>.</summary>
    public const int MaxRelatedCapacity = 1_000_000;

    /// <summary>
    /// Expressions (<c>patterns</c>); an exchange that matches any of them is dropped, like the original's repeated
    /// <c>--http-filter</c>. Default none: every exchange passes. See docs/FILTERS.md.
    /// </summary>
    public List<string> Patterns { get; set; } = [];

    /// <summary>Named expression sets added to <see cref="Patterns"/> (<c>presets</c>): <c>record</c>. Default none.</summary>
    public List<string> Presets { get; set; } = [];

    /// <summary>
    /// Also drop the events that follow a dropped exchange with its <c>exchange_id</c> (its <c>sse</c> and <c>llm</c>
    /// events) (<c>drop_related</c>); default true.
    /// </summary>
    public bool DropRelated { get; set; } = true;

    /// <summary>How many dropped exchange ids are remembered for <see cref="DropRelated"/> (<c>related_capacity</c>); default 4096.</summary>
    public int RelatedCapacity { get; set; } = 4096;

    /// <summary>Every expression in force: the presets' then the patterns, with the key each comes from.</summary>
    internal IEnumerable<(string Key, string Expression)> Expressions() => FilterPatterns.InForce(Presets, Patterns, HttpFilterPresets.All);

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        foreach (var error in FilterPatterns.Validate(Presets, Patterns, HttpFilterPresets.All, expression => HttpExpressionParser.Parse(expression)))
        {
            yield return error;
        }
        if (RelatedCapacity is < 1 or > MaxRelatedCapacity)
        {
            yield return new ConfigError("related_capacity", $"must be between 1 and {MaxRelatedCapacity} (got {RelatedCapacity})");
        }
    }
}
