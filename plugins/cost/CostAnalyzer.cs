using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Cost;

/// <summary>Adds a <c>cost</c> object to every <c>llm</c> event; passes everything, at once and in order.</summary>
internal sealed class CostAnalyzer(PriceTable table, IStageContext context) : IAnalyzer
{
    private readonly CostCounters _counters = new(context);

    public void Process(AgentEvent evt, IEventOutput output)
    {
        if (evt.Source == "llm" && evt.Fields is { } fields)
        {
            var model = Str(fields, "gen_ai.response.model") ?? Str(fields, "gen_ai.request.model");
            var price = model is null ? null : table.Find(model);
            // The model asked for when the reported one has no price (a dated snapshot name the table lacks).
            if (price is null && Str(fields, "gen_ai.request.model") is { } asked && asked != model)
            {
                price = table.Find(asked);
            }
            var cost = CallCost.Of(price, table.Date,
                Long(fields, "gen_ai.usage.input_tokens"), Long(fields, "gen_ai.usage.output_tokens"),
                Long(fields, "gen_ai.usage.cache_read.input_tokens"), Long(fields, "gen_ai.usage.cache_creation.input_tokens"),
                Long(fields, "gen_ai.usage.reasoning.output_tokens"));
            fields["cost"] = cost;
            if (price is null)
            {
                _counters.UnknownModel.Add();
            }
            else if (cost["usd"] is JsonValue usd)
            {
                _counters.Priced.Add();
                _counters.MicroUsd.Add((long)Math.Round(usd.GetValue<double>() * 1_000_000));
            }
            else
            {
                _counters.WithoutUsage.Add();
            }
        }
        output.Emit(evt);
    }

    private static string? Str(JsonObject fields, string name) =>
        fields[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } s ? s : null;

    /// <summary>A token count, whether parsed from JSON or set by the llm analyzer from a CLR number.</summary>
    private static long? Long(JsonObject fields, string name)
    {
        if (fields[name] is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }
        if (value.TryGetValue(out long l))
        {
            return l;
        }
        if (value.TryGetValue(out int i))
        {
            return i;
        }
        return value.TryGetValue(out double d) ? (long)d : null;
    }
}
