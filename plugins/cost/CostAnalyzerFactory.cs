using AgentSight.Contracts;

namespace AgentSight.Plugins.Cost;

/// <summary>The <c>cost</c> analyzer plugin: the price of each LLM call, in US dollars, on its <c>llm</c> event.</summary>
public sealed class CostAnalyzerFactory : AnalyzerFactory<CostAnalyzerConfig>
{
    /// <inheritdoc />
    public override string Description =>
        "Adds a cost object (USD by token kind, from a dated price table plus the manifest's prices) to every llm event; unknown models cost null, never 0.";

    /// <inheritdoc />
    protected override IAnalyzer Create(CostAnalyzerConfig config, IStageContext context)
    {
        var (date, shipped) = PriceTable.Shipped();
        var overrides = config.Prices.Select(p => new ModelPrice(p.Pattern.Trim(), p.Input, p.Output, p.CacheRead, p.CacheWrite, p.Reasoning));
        return new CostAnalyzer(new PriceTable(date, overrides, config.BuiltinPrices ? shipped : []), context);
    }
}
