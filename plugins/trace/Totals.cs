namespace AgentSight.Plugins.Trace;

/// <summary>Tokens and cost summed over calls (a conversation's, a run's).</summary>
internal sealed class Totals
{
    public long Calls { get; private set; }

    public long InputTokens { get; private set; }

    public long OutputTokens { get; private set; }

    public double Usd { get; private set; }

    /// <summary>Calls whose cost is not known (no price for the model, no usage, or no cost stage).</summary>
    public long UnpricedCalls { get; private set; }

    public void Add(long? input, long? output, double? usd)
    {
        Calls++;
        InputTokens += input ?? 0;
        OutputTokens += output ?? 0;
        if (usd is { } d)
        {
            Usd += d;
        }
        else
        {
            UnpricedCalls++;
        }
    }

    /// <summary>Writes the sums on a span: <c>agentsight.cost.usd</c> only when some call was priced.</summary>
    public void WriteTo(SpanRecord span)
    {
        span.Set("gen_ai.usage.input_tokens", InputTokens).Set("gen_ai.usage.output_tokens", OutputTokens).Set("agentsight.llm.calls", Calls);
        if (Calls > UnpricedCalls)
        {
            span.Set("agentsight.cost.usd", Math.Round(Usd, 9));
        }
        if (UnpricedCalls > 0)
        {
            span.Set("agentsight.cost.unpriced_calls", UnpricedCalls);
        }
    }
}
