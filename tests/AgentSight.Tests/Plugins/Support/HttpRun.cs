using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Support;

/// <summary>Runs the http analyzer alone over events and keeps what it emitted.</summary>
internal sealed class HttpRun
{
    private HttpRun(HttpAnalyzerConfig config)
    {
        Context = new TestStageContext { StageId = "http", Now = 0 };
        Analyzer = (HttpAnalyzer)new HttpAnalyzerFactory().Create(config, Context);
    }

    public TestStageContext Context { get; }

    public HttpAnalyzer Analyzer { get; }

    public CapturingOutput Output { get; } = new();

    public List<JsonObject> Exchanges => [.. Output.Events.Where(e => e.Source == "http").Select(e => e.Fields!)];

    public List<AgentEvent> Raw => [.. Output.Events.Where(e => e.Source == "ssl")];

    public List<JsonObject> Pieces => [.. Output.Events.Where(e => e.Source == "http_body").Select(PayloadJson.Of)];

    public long Counter(string name) => Context.CounterValue(name);

    public static HttpRun Of(IEnumerable<AgentEvent> events, HttpAnalyzerConfig? config = null, bool flush = true)
    {
        var run = new HttpRun(config ?? new HttpAnalyzerConfig());
        foreach (var evt in events)
        {
            run.Push(evt);
        }
        if (flush)
        {
            run.Analyzer.Flush(run.Output);
        }
        return run;
    }

    public void Push(AgentEvent evt)
    {
        Context.Now = Math.Max(Context.Now, evt.Timestamp);
        Analyzer.Process(evt, Output);
    }

    public void Tick(long now)
    {
        Context.Now = now;
        Analyzer.OnTimer(now, Output);
    }

    /// <summary>The decoded streamed body of an exchange, from its pieces in order.</summary>
    public byte[] StreamedBody(string exchangeId) =>
        [.. Pieces.Where(p => (string?)p["exchange_id"] == exchangeId).SelectMany(p => TlsPayload.DecodeData((string)p["data"]!))];
}
