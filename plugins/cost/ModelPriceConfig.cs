namespace AgentSight.Plugins.Cost;

/// <summary>
/// One model's prices in the manifest (<c>config.prices[i]</c>): USD per million tokens. Entries given there are looked
/// at before the shipped table, in their order, so they override it and add models it lacks.
/// </summary>
public sealed class ModelPriceConfig
{
    /// <summary>The model name, <c>*</c> matching any run of characters (<c>pattern</c>), case-insensitive: <c>my-finetune-*</c>.</summary>
    public string Pattern { get; set; } = "";

    /// <summary>Uncached input tokens (<c>input</c>).</summary>
    public double Input { get; set; }

    /// <summary>Output tokens, thinking not included (<c>output</c>).</summary>
    public double Output { get; set; }

    /// <summary>Cached input read (<c>cache_read</c>); the input price when not given.</summary>
    public double? CacheRead { get; set; }

    /// <summary>Input written to the cache (<c>cache_write</c>); the input price when not given.</summary>
    public double? CacheWrite { get; set; }

    /// <summary>Thinking tokens (<c>reasoning</c>); the output price when not given.</summary>
    public double? Reasoning { get; set; }
}
