using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Cost;

/// <summary>
/// Prices by model: the manifest's entries first (in their order), then the shipped table's (most specific pattern
/// first). A model that none matches has no price: its calls cost "unknown", never 0.
/// </summary>
internal sealed class PriceTable
{
    private readonly List<ModelPrice> _prices;

    public PriceTable(string date, IEnumerable<ModelPrice> overrides, IEnumerable<ModelPrice> shipped)
    {
        Date = date;
        _prices = [.. overrides, .. shipped.OrderByDescending(p => p.Specificity)];
    }

    /// <summary>When the shipped prices were taken (<c>yyyy-MM-dd</c>).</summary>
    public string Date { get; }

    /// <summary>The price of <paramref name="model"/>, trying it as written, then without a router's or cloud's prefix.</summary>
    public ModelPrice? Find(string model)
    {
        foreach (var name in Names(model))
        {
            foreach (var price in _prices)
            {
                if (price.Matches(name))
                {
                    return price;
                }
            }
        }
        return null;
    }

    /// <summary>
    /// <c>openai/gpt-4o</c> (OpenRouter), <c>models/gemini-2.5-pro</c>, <c>publishers/google/models/…</c> (Vertex) and
    /// <c>us.anthropic.claude-sonnet-4-5-…-v1:0</c> (Bedrock) are the maker's models under another name.
    /// </summary>
    private static IEnumerable<string> Names(string model)
    {
        var name = model.Trim();
        yield return name;
        var slash = name.LastIndexOf('/');
        if (slash >= 0 && slash < name.Length - 1)
        {
            name = name[(slash + 1)..];
            yield return name;
        }
        var bedrock = name.IndexOf("anthropic.", StringComparison.OrdinalIgnoreCase);
        if (bedrock >= 0)
        {
            yield return name[(bedrock + "anthropic.".Length)..];
        }
    }

    /// <summary>The table shipped inside this assembly (<c>prices.json</c>) and its date.</summary>
    public static (string Date, List<ModelPrice> Prices) Shipped()
    {
        using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream("AgentSight.Plugins.Cost.prices.json")
            ?? throw new InvalidOperationException("the cost plugin was built without its price table (prices.json)");
        var root = JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!.AsObject();
        var prices = new List<ModelPrice>();
        foreach (var row in root["models"]!.AsArray())
        {
            prices.Add(new ModelPrice(
                (string)row!["pattern"]!,
                (double)row["input"]!,
                (double)row["output"]!,
                (double?)row["cache_read"],
                (double?)row["cache_write"],
                (double?)row["reasoning"]));
        }
        return ((string)root["date"]!, prices);
    }
}
