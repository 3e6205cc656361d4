using AgentSight.Contracts;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Support.PipelineHarness;

namespace AgentSight.Tests.Pipeline;

/// <summary>A stage that fails closed (<c>on_error: drop</c>) never lets events around it, even once it is taken out.</summary>
public sealed class FailClosedStageTests
{
    [Fact]
    public async Task A_fail_closed_stage_taken_out_drops_every_later_event_instead_of_bypassing()
    {
        var sink = new CollectingSinkFactory();
        var failing = new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
        {
            OnProcess = (e, o) =>
            {
                if (Seq(e) % 2 == 1)
                {
                    throw new InvalidOperationException("cannot redact");
                }
                o.Emit(e);
            },
        }, OnError.Drop);
        var harness = new PipelineHarness().Add(failing, "redact", maxFailures: 2).Add(sink, "sink");

        var metrics = await harness.RunAsync(Enumerable.Range(0, 10).Select(i => Numbered(i, Some.Epoch + i)));

        // 0 passes, 1 fails, 2 passes, 3 fails and takes the stage out: 4..9 are dropped, not passed around it.
        Assert.Equal([0, 2], sink.Received.Select(Seq));
        var stage = metrics.Stages.Single(s => s.Id == "redact");
        Assert.Equal(StageState.Removed, stage.State);
        Assert.Equal(2, stage.Failed);
        Assert.Equal(6, stage.Dropped);
    }

    [Fact]
    public async Task A_stage_that_passes_on_error_is_still_bypassed_once_taken_out()
    {
        var sink = new CollectingSinkFactory();
        var failing = new DelegateAnalyzerFactory(_ => new LambdaAnalyzer { OnProcess = (_, _) => throw new InvalidOperationException("boom") });
        var harness = new PipelineHarness().Add(failing, "tagger", maxFailures: 1).Add(sink, "sink");

        await harness.RunAsync(Enumerable.Range(0, 5).Select(i => Numbered(i, Some.Epoch + i)));

        Assert.Equal([0, 1, 2, 3, 4], sink.Received.Select(Seq));
    }
}
