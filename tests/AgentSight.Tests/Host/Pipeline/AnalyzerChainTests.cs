using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Support.PipelineHarness;

namespace AgentSight.Tests.Pipeline;

/// <summary>Analyzers run in chains: one task and one queue for a run of stages, a new chain where a stage asks for its own queue.</summary>
public sealed class AnalyzerChainTests
{
    private static IEnumerable<AgentEvent> Events(int count) =>
        Enumerable.Range(0, count).Select(i => Numbered(i, Some.Epoch + (i * 1_000L)));

    [Fact]
    public async Task Stages_of_one_chain_see_each_event_before_the_first_gets_the_next_and_share_its_queue()
    {
        var secondSaw = -1;
        var overtaken = 0;
        var sink = new CollectingSinkFactory();
        var harness = new PipelineHarness()
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
            {
                OnProcess = (e, o) =>
                {
                    // In one task, the second stage has handled event k-1 before the first is given event k.
                    if (secondSaw != Seq(e) - 1)
                    {
                        overtaken++;
                    }
                    o.Emit(e);
                },
            }), "first")
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
            {
                OnProcess = (e, o) =>
                {
                    secondSaw = Seq(e);
                    o.Emit(e);
                },
            }), "second")
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer()), "own", capacity: 32, backpressure: Backpressure.Block, ownQueue: true)
            .Add(sink, "sink");

        var metrics = await harness.RunAsync(Events(5_000));

        Assert.Equal(0, overtaken);
        Assert.Equal(Enumerable.Range(0, 5_000), sink.Received.Select(Seq));
        var byId = metrics.Stages.ToDictionary(s => s.Id);
        Assert.Equal(64, byId["first"].QueueCapacity);
        Assert.Equal(0, byId["second"].QueueCapacity);
        Assert.Equal(32, byId["own"].QueueCapacity);
        Assert.All(metrics.Stages, s => Assert.Equal((5_000, 5_000L), (s.In, s.Kind == PluginKind.Sink ? 5_000 : s.Out)));
        var table = SummaryTable.Format(metrics, TimeSpan.FromSeconds(1));
        Assert.Matches(@"\n\s*2\s+second\s+test-second\s+analyzer\s+stopped\s+5,000\s+5,000\s+0\s+0\s+0\s+\(chain\)\s+-", table);
        Assert.Matches(@"\n\s*3\s+own\s+test-own\s+analyzer\s+stopped\s+5,000\s+5,000\s+0\s+0\s+0\s+0/\d+/32\s+block", table);
    }

    [Fact]
    public async Task What_a_stage_emits_from_its_timer_and_its_last_flush_goes_through_the_stages_after_it_in_order()
    {
        var sink = new CollectingSinkFactory();
        var held = new List<AgentEvent>();
        var harness = new PipelineHarness()
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
            {
                // Splits each event in two: the event, then a copy numbered 100,000 higher.
                OnProcess = (e, o) =>
                {
                    o.Emit(e);
                    o.Emit(Numbered(Seq(e) + 100_000, e.Timestamp));
                },
            }), "split")
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
            {
                // Holds the copies; its timer (every 10 µs of event time) and its last flush let them go.
                TimerInterval = TimeSpan.FromTicks(100),
                OnProcess = (e, o) =>
                {
                    if (Seq(e) >= 100_000)
                    {
                        held.Add(e);
                    }
                    else
                    {
                        o.Emit(e);
                    }
                },
                OnTick = (_, o) => Release(held, o),
                OnFlush = o => Release(held, o),
            }), "hold")
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
            {
                OnProcess = (e, o) =>
                {
                    e.Fields!["tagged"] = true;
                    o.Emit(e);
                },
            }), "tag")
            .Add(sink, "sink");

        var metrics = await harness.RunAsync(Events(1_000));

        var received = sink.Received.ToList();
        Assert.Equal(2_000, received.Count);
        Assert.All(received, e => Assert.True(e.Fields!["tagged"]!.GetValue<bool>()));
        Assert.Equal(Enumerable.Range(0, 1_000), received.Select(Seq).Where(s => s < 100_000));
        Assert.Equal(Enumerable.Range(100_000, 1_000), received.Select(Seq).Where(s => s >= 100_000));
        // The timer released copies while events still came: they are interleaved, not all at the end.
        Assert.True(received.FindIndex(e => Seq(e) >= 100_000) < 1_000, "the hold stage's timer never released anything before its flush");
        Assert.Equal(2_000, metrics.Stages.Single(s => s.Id == "tag").In);
    }

    private static void Release(List<AgentEvent> held, IEventOutput output)
    {
        foreach (var e in held)
        {
            output.Emit(e);
        }
        held.Clear();
    }
}
