using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Plugins.Llm;
using AgentSight.Plugins.Sse;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Support;

/// <summary>
/// Runs analyzers in order, synchronously, the way the pipeline's stages would: each stage with its own event-time
/// clock and a timer that fires once a second of event time, and at the end each stage flushed in order.
/// </summary>
internal sealed class AnalyzerChain
{
    private readonly List<Stage> _stages = [];

    public List<AgentEvent> Output { get; } = [];

    public IReadOnlyList<TestStageContext> Contexts => [.. _stages.Select(s => s.Context)];

    public static AnalyzerChain Default(HttpAnalyzerConfig? http = null, SseAnalyzerConfig? sse = null, LlmAnalyzerConfig? llm = null)
    {
        var chain = new AnalyzerChain();
        chain.Add("http", ctx => new HttpAnalyzerFactory().Create(http ?? new HttpAnalyzerConfig(), ctx));
        chain.Add("sse", ctx => new SseAnalyzerFactory().Create(sse ?? new SseAnalyzerConfig(), ctx));
        chain.Add("llm", ctx => new LlmAnalyzerFactory().Create(llm ?? new LlmAnalyzerConfig(), ctx));
        return chain;
    }

    public AnalyzerChain Add(string id, Func<IStageContext, IAnalyzer> create)
    {
        var context = new TestStageContext { StageId = id, Now = 0 };
        _stages.Add(new Stage(create(context), context));
        return this;
    }

    public IAnalyzer Analyzer(int index) => _stages[index].Analyzer;

    public TestStageContext Context(string id) => _stages.Single(s => s.Context.StageId == id).Context;

    public AnalyzerChain Run(IEnumerable<AgentEvent> events, bool flush = true)
    {
        foreach (var evt in events)
        {
            Push(evt);
        }
        if (flush)
        {
            Finish();
        }
        return this;
    }

    public void Push(AgentEvent evt) => Feed(0, evt);

    /// <summary>Shutdown: every stage flushes, in order, and what it emits goes through the stages after it.</summary>
    public void Finish()
    {
        for (var i = 0; i < _stages.Count; i++)
        {
            var output = new CapturingOutput();
            _stages[i].Analyzer.Flush(output);
            foreach (var e in output.Events)
            {
                Feed(i + 1, e);
            }
        }
    }

    /// <summary>Runs every stage's timer now, at its own clock.</summary>
    public void Tick(long now)
    {
        for (var i = 0; i < _stages.Count; i++)
        {
            var stage = _stages[i];
            stage.Context.Now = Math.Max(stage.Context.Now, now);
            var output = new CapturingOutput();
            stage.Analyzer.OnTimer(stage.Context.Now, output);
            foreach (var e in output.Events)
            {
                Feed(i + 1, e);
            }
        }
    }

    public List<AgentEvent> OfSource(string source) => [.. Output.Where(e => e.Source == source)];

    private void Feed(int index, AgentEvent evt)
    {
        if (index == _stages.Count)
        {
            Output.Add(evt);
            return;
        }
        var stage = _stages[index];
        stage.Context.Now = Math.Max(stage.Context.Now, evt.Timestamp);
        var output = new CapturingOutput();
        stage.Analyzer.Process(evt, output);
        var interval = stage.Analyzer.TimerInterval.Ticks * 100;
        if (interval != stage.Interval)
        {
            // As the host does (contracts 2.1): a changed interval starts a new deadline.
            stage.Interval = interval;
            stage.NextTimer = 0;
        }
        var fired = new CapturingOutput();
        if (interval > 0)
        {
            if (stage.NextTimer == 0)
            {
                stage.NextTimer = stage.Context.Now + interval;
            }
            else if (stage.Context.Now >= stage.NextTimer)
            {
                stage.NextTimer = stage.Context.Now + interval;
                stage.Analyzer.OnTimer(stage.Context.Now, fired);
            }
        }
        foreach (var e in output.Events)
        {
            Feed(index + 1, e);
        }
        foreach (var e in fired.Events)
        {
            Feed(index + 1, e);
        }
    }

    private sealed class Stage(IAnalyzer analyzer, TestStageContext context)
    {
        public IAnalyzer Analyzer { get; } = analyzer;

        public TestStageContext Context { get; } = context;

        public long NextTimer { get; set; }

        public long Interval { get; set; }
    }
}
