using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Cost;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Cost;

/// <summary>
/// The cost stage on llm events as the llm analyzer writes them (OpenTelemetry GenAI counts: input includes cached
/// tokens, output includes reasoning): each kind of token priced once at its own rate, per provider.
/// </summary>
public sealed class CostAnalyzerTests
{
    [Fact]
    public void Anthropic_cache_reads_and_writes_are_priced_apart_from_fresh_input()
    {
        // Claude Sonnet 4.5: $3 in, $15 out, $0.30 cache read, $3.75 cache write per million.
        var cost = Price("anthropic", "claude-sonnet-4-5-20250929", input: 1_000_000 + 2_000_000 + 100_000, output: 10_000,
            cacheRead: 2_000_000, cacheWrite: 100_000);

        Assert.Equal(3.0, (double)cost["input_usd"]!, 9);
        Assert.Equal(0.6, (double)cost["cache_read_usd"]!, 9);
        Assert.Equal(0.375, (double)cost["cache_write_usd"]!, 9);
        Assert.Equal(0.15, (double)cost["output_usd"]!, 9);
        Assert.Equal(4.125, (double)cost["usd"]!, 9);
        Assert.Equal("claude-sonnet-4*", (string?)cost["model_matched"]);
        Assert.False((bool)cost["unknown"]!);
    }

    [Fact]
    public void OpenAI_cached_input_and_reasoning_tokens_are_priced_at_their_rates()
    {
        // gpt-5: $1.25 in, $0.125 cached, $10 out (reasoning billed as output).
        var cost = Price("openai", "gpt-5-2025-08-07", input: 1_000_000, output: 300_000, cacheRead: 800_000, reasoning: 200_000);

        Assert.Equal(0.25, (double)cost["input_usd"]!, 9);
        Assert.Equal(0.1, (double)cost["cache_read_usd"]!, 9);
        Assert.Equal(0.0, (double)cost["cache_write_usd"]!, 9);
        Assert.Equal(1.0, (double)cost["output_usd"]!, 9);
        Assert.Equal(2.0, (double)cost["reasoning_usd"]!, 9);
        Assert.Equal(3.35, (double)cost["usd"]!, 9);
        // The more specific pattern wins: gpt-5-mini is not priced as gpt-5.
        Assert.Equal("gpt-5-mini*", (string?)Price("openai", "gpt-5-mini", input: 1, output: 1)["model_matched"]);
    }

    [Fact]
    public void Google_thinking_and_context_cache_are_priced_for_gemini()
    {
        // gemini-2.5-pro: $1.25 in, $10 out, $0.125 cached; thoughts are output.
        var cost = Price("gcp.gemini", "models/gemini-2.5-pro", input: 400_000, output: 150_000, cacheRead: 200_000, reasoning: 100_000);

        Assert.Equal(0.25, (double)cost["input_usd"]!, 9);
        Assert.Equal(0.025, (double)cost["cache_read_usd"]!, 9);
        Assert.Equal(0.5, (double)cost["output_usd"]!, 9);
        Assert.Equal(1.0, (double)cost["reasoning_usd"]!, 9);
        Assert.Equal("gemini-2.5-pro*", (string?)cost["model_matched"]);
    }

    [Fact]
    public void An_unknown_model_costs_null_and_says_unknown_never_zero()
    {
        var context = new TestStageContext();
        var cost = Price("ollama", "llama3.2:3b", input: 1000, output: 100, context: context);

        Assert.Null(cost["usd"]);
        Assert.True((bool)cost["unknown"]!);
        Assert.Null(cost["model_matched"]);
        Assert.Equal(1, context.CounterValue("calls_unknown_model"));
        Assert.Equal(0, context.CounterValue("calls_priced"));
    }

    [Fact]
    public void Manifest_prices_override_the_table_and_add_models()
    {
        var config = new CostAnalyzerConfig
        {
            Prices = [new ModelPriceConfig { Pattern = "llama3*", Input = 0.1, Output = 0.2 }, new ModelPriceConfig { Pattern = "claude-sonnet-4-5*", Input = 1, Output = 1 }],
        };
        Assert.Empty(config.Validate());

        Assert.Equal(0.0003, (double)Price("ollama", "llama3.2:3b", input: 1000, output: 1000, config: config)["usd"]!, 9);
        Assert.Equal("claude-sonnet-4-5*", (string?)Price("anthropic", "claude-sonnet-4-5", input: 1_000_000, output: 0, config: config)["model_matched"]);
        Assert.Equal(1.0, (double)Price("anthropic", "claude-sonnet-4-5", input: 1_000_000, output: 0, config: config)["usd"]!, 9);
    }

    [Fact]
    public void Bad_manifest_prices_are_refused_naming_the_key()
    {
        var config = new CostAnalyzerConfig { Prices = [new ModelPriceConfig { Pattern = "", Input = -1, Output = 1 }] };

        var errors = config.Validate().ToList();

        Assert.Contains(errors, e => e.Key == "prices[0].pattern");
        Assert.Contains(errors, e => e.Key == "prices[0].input" && e.Message.Contains("got -1", StringComparison.Ordinal));
    }

    [Fact]
    public void A_call_without_usage_is_unpriced_but_not_unknown_and_other_events_pass_untouched()
    {
        var context = new TestStageContext();
        var analyzer = new CostAnalyzerFactory().Create(new CostAnalyzerConfig(), context);
        var output = new CapturingOutput();
        var call = Some.JsonEvent("llm", new JsonObject { ["gen_ai.provider.name"] = "anthropic", ["gen_ai.request.model"] = "claude-haiku-4-5" });
        var other = Some.JsonEvent("http", new JsonObject { ["exchange_id"] = "1" });

        analyzer.Process(call, output);
        analyzer.Process(other, output);

        Assert.Equal([call, other], output.Events);
        var cost = call.Fields!["cost"]!;
        Assert.Null(cost["usd"]);
        Assert.False((bool)cost["unknown"]!);
        Assert.Null(other.Fields!["cost"]);
        Assert.Equal(1, context.CounterValue("calls_without_usage"));
    }

    [Fact]
    public void The_shipped_table_is_dated_and_covers_the_three_providers()
    {
        var (date, prices) = PriceTable.Shipped();

        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", date);
        Assert.Contains(prices, p => p.Pattern.StartsWith("claude-", StringComparison.Ordinal));
        Assert.Contains(prices, p => p.Pattern.StartsWith("gpt-", StringComparison.Ordinal));
        Assert.Contains(prices, p => p.Pattern.StartsWith("gemini-", StringComparison.Ordinal));
        Assert.All(prices, p => Assert.True(p.Input >= 0 && p.Output >= 0, p.Pattern));
    }

    private static JsonObject Price(string provider, string model, long input, long output, long? cacheRead = null, long? cacheWrite = null,
        long? reasoning = null, CostAnalyzerConfig? config = null, TestStageContext? context = null)
    {
        var analyzer = new CostAnalyzerFactory().Create(config ?? new CostAnalyzerConfig(), context ?? new TestStageContext());
        var fields = new JsonObject
        {
            ["gen_ai.provider.name"] = provider,
            ["gen_ai.request.model"] = model,
            ["gen_ai.response.model"] = model,
            ["gen_ai.usage.input_tokens"] = input,
            ["gen_ai.usage.output_tokens"] = output,
        };
        if (cacheRead is { } r)
        {
            fields["gen_ai.usage.cache_read.input_tokens"] = r;
        }
        if (cacheWrite is { } w)
        {
            fields["gen_ai.usage.cache_creation.input_tokens"] = w;
        }
        if (reasoning is { } t)
        {
            fields["gen_ai.usage.reasoning.output_tokens"] = t;
        }
        var evt = Some.JsonEvent("llm", fields);
        analyzer.Process(evt, new CapturingOutput());
        return evt.Fields!["cost"]!.AsObject();
    }
}
