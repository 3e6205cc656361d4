using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Cost;

/// <summary>
/// What one call cost, by kind of token. Token counts are the llm event's (OpenTelemetry GenAI): input includes the
/// cached tokens read and written, output includes reasoning; each is priced once, at its own rate.
/// </summary>
internal static class CallCost
{
    private const double PerMillion = 1_000_000;

    /// <summary>The <c>cost</c> object for an llm event (docs/EVENTS.md); <c>usd</c> null when the model or its usage is unknown.</summary>
    public static JsonObject Of(ModelPrice? price, string tableDate, long? input, long? output, long? cacheRead, long? cacheWrite, long? reasoning)
    {
        if (price is null)
        {
            return Unknown(tableDate, modelKnown: false);
        }
        if (input is null && output is null)
        {
            return Unknown(tableDate, modelKnown: true, price.Pattern);
        }
        var read = Math.Max(0, cacheRead ?? 0);
        var written = Math.Max(0, cacheWrite ?? 0);
        var uncached = Math.Max(0, (input ?? 0) - read - written);
        var thinking = Math.Clamp(reasoning ?? 0, 0, Math.Max(0, output ?? 0));
        var visible = Math.Max(0, (output ?? 0) - thinking);
        var inputUsd = Usd(uncached, price.Input);
        var outputUsd = Usd(visible, price.Output);
        var cacheReadUsd = Usd(read, price.CacheRead ?? price.Input);
        var cacheWriteUsd = Usd(written, price.CacheWrite ?? price.Input);
        var reasoningUsd = Usd(thinking, price.Reasoning ?? price.Output);
        return new JsonObject
        {
            ["usd"] = Round(inputUsd + outputUsd + cacheReadUsd + cacheWriteUsd + reasoningUsd),
            ["input_usd"] = Round(inputUsd),
            ["output_usd"] = Round(outputUsd),
            ["cache_read_usd"] = Round(cacheReadUsd),
            ["cache_write_usd"] = Round(cacheWriteUsd),
            ["reasoning_usd"] = Round(reasoningUsd),
            ["currency"] = "USD",
            ["price_table"] = tableDate,
            ["model_matched"] = price.Pattern,
            ["unknown"] = false,
        };
    }

    private static JsonObject Unknown(string tableDate, bool modelKnown, string? pattern = null) => new()
    {
        ["usd"] = null,
        ["input_usd"] = null,
        ["output_usd"] = null,
        ["cache_read_usd"] = null,
        ["cache_write_usd"] = null,
        ["reasoning_usd"] = null,
        ["currency"] = "USD",
        ["price_table"] = tableDate,
        ["model_matched"] = pattern,
        // "unknown" means the model has no price; a priced model whose call reported no usage is not unknown, just unpriced.
        ["unknown"] = !modelKnown,
    };

    private static double Usd(long tokens, double perMillion) => tokens * perMillion / PerMillion;

    /// <summary>Nanodollars are below any bill's resolution; rounding hides binary fractions (0.30000000000000004).</summary>
    private static double Round(double usd) => Math.Round(usd, 9, MidpointRounding.AwayFromZero);
}
