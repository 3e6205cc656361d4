using AgentSight.Contracts;
using AgentSight.Traffic;
using AgentSight.Plugins.Http;
using AgentSight.Plugins.HttpFilter;
using AgentSight.Plugins.Llm;
using AgentSight.Plugins.Redact;
using AgentSight.Plugins.Sse;
using AgentSight.Plugins.SslFilter;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.Redact.RedactHarness;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>
/// The default chain, ssl-filter → http → sse → llm → http-filter → redact, on generated traffic: what a sink
/// receives from the real analyzers, with the original's <c>record</c> filters on.
/// </summary>
public sealed class DefaultChainTests
{
    private static AnalyzerChain Chain(HttpFilterConfig httpFilter, SslFilterConfig? sslFilter = null) => new AnalyzerChain()
        .Add("ssl-filter", ctx => new SslFilterFactory().Create(sslFilter ?? new SslFilterConfig(), ctx))
        .Add("http", ctx => new HttpAnalyzerFactory().Create(new HttpAnalyzerConfig(), ctx))
        .Add("sse", ctx => new SseAnalyzerFactory().Create(new SseAnalyzerConfig(), ctx))
        .Add("llm", ctx => new LlmAnalyzerFactory().Create(new LlmAnalyzerConfig(), ctx))
        .Add("ssl-filter/leftovers", ctx => new SslFilterFactory().Create(new SslFilterConfig { Presets = ["record"] }, ctx))
        .Add("http-filter", ctx => new HttpFilterFactory().Create(httpFilter, ctx))
        .Add("redact", ctx => new RedactFactory().Create(new RedactConfig(), ctx));

    private static SyntheticRecording Generate(int count, ulong seed) =>
        SyntheticTraffic.Generate(new SyntheticOptions { Count = count, Seed = seed, StartTime = Some.Epoch });

    [Fact]
    public void With_the_record_presets_every_llm_answer_is_kept_and_no_key_reaches_a_sink()
    {
        var recording = Generate(60, 21);

        var chain = Chain(new HttpFilterConfig { Presets = ["record"] }).Run(recording.Events);

        Assert.Equal(recording.Calls.Count, chain.OfSource("llm").Count);
        Assert.Equal(recording.Calls.Count, chain.OfSource("http").Count);
        Assert.Equal(recording.Calls.Count(c => c.Stream), chain.OfSource("sse").Count);
        var output = Ndjson(chain.Output);
        foreach (var key in recording.Calls.Select(c => c.ApiKey).Distinct())
        {
            AssertNoPartOf(key, output, key.IndexOf("FAKE", StringComparison.Ordinal) + 4, window: 10);
        }
        Assert.All(chain.OfSource("http"), http => Assert.Contains("[REDACTED:header]", AgentEventJson.ToJson(http), StringComparison.Ordinal));
        foreach (var call in recording.Calls)
        {
            Assert.Contains(call.Model, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_dropped_exchange_takes_its_stream_and_llm_events_with_it_and_the_others_stay_whole()
    {
        var recording = Generate(40, 22);
        var dropped = recording.Calls.Where(c => c.Host == "api.openai.com").ToList();
        Assert.NotEmpty(dropped);

        var chain = Chain(new HttpFilterConfig { Patterns = ["request.host=api.openai.com"] }).Run(recording.Events);

        Assert.Equal(recording.Calls.Count - dropped.Count, chain.OfSource("llm").Count);
        Assert.DoesNotContain(chain.Output, e => e.Fields?["server.address"]?.GetValue<string>() == "api.openai.com");
        Assert.DoesNotContain(chain.Output, e => e.Source is "http" or "sse"
            && e.Fields!["request"]?["host"]?.GetValue<string>() == "api.openai.com");
        Assert.Equal(dropped.Count, chain.Context("http-filter").CounterValue("dropped"));
        Assert.Equal(dropped.Count + dropped.Count(c => c.Stream), chain.Context("http-filter").CounterValue("dropped_related"));
    }
}
