using AgentSight.Contracts;

namespace AgentSight.Plugins.Cost;

/// <summary>Configuration of the <c>cost</c> analyzer. Every default is valid as is.</summary>
public sealed class CostAnalyzerConfig : PluginConfig
{
    /// <summary>
    /// Prices that override the shipped table or add models it lacks (<c>prices</c>), tried first and in order:
    /// <c>[{"pattern":"my-model*","input":1,"output":2,"cache_read":0.1}]</c>. Default none.
    /// </summary>
    public List<ModelPriceConfig> Prices { get; set; } = [];

    /// <summary>Use the price table shipped with the plugin (<c>builtin_prices</c>); default true. False: only <c>prices</c>.</summary>
    public bool BuiltinPrices { get; set; } = true;

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        for (var i = 0; i < Prices.Count; i++)
        {
            var p = Prices[i];
            var key = $"prices[{i}]";
            if (p is null)
            {
                yield return new ConfigError(key, "must be an object with pattern, input and output");
                continue;
            }
            if (string.IsNullOrWhiteSpace(p.Pattern))
            {
                yield return new ConfigError(key + ".pattern", "must name a model, '*' matching any characters (got an empty pattern)");
            }
            foreach (var (name, value) in new (string, double?)[]
                { ("input", p.Input), ("output", p.Output), ("cache_read", p.CacheRead), ("cache_write", p.CacheWrite), ("reasoning", p.Reasoning) })
            {
                if (value is { } v && (v < 0 || double.IsNaN(v) || double.IsInfinity(v)))
                {
                    yield return new ConfigError($"{key}.{name}", $"must be a price in USD per million tokens, 0 or more (got {v})");
                }
            }
        }
    }
}
