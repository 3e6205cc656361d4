using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Support.PipelineHarness;

namespace AgentSight.Tests.Pipeline;

/// <summary>
/// A sink taken out of the pipeline lost events: the run has failed (exit code 1), and says which sink, why, and how
/// many events it did not write. So does a fail-closed analyzer taken out, which drops every later event.
/// </summary>
public sealed class FailedStageTests
{
    private static IEnumerable<AgentEvent> Events(int count) => Enumerable.Range(0, count).Select(i => Numbered(i, Some.Epoch + i));

    [Fact]
    public async Task A_sink_taken_out_after_its_failures_fails_the_run_and_says_which_why_and_what_was_lost()
    {
        var sink = new CollectingSinkFactory { FailWhen = e => Seq(e) >= 3 };
        var chain = new StageChain().AddRedact().Add(sink, "out", "Acme.Out", maxFailures: 2);

        var result = await chain.RunAsync(Events(10));

        Assert.False(result.Succeeded);
        Assert.Equal([0, 1, 2], sink.Received.Select(Seq));
        var failure = Assert.Single(result.FailedStages);
        Assert.Equal(("out", "Acme.Out", 10L, 7L), (failure.Id, failure.Plugin, failure.Received, failure.Lost));
        // 3 and 4 failed (the second failure takes it out), 5..9 reached a sink that was gone.
        var line = Assert.Single(chain.Log.Entries, e => e.Message.StartsWith("Sink out (plugin Acme.Out) failed:", StringComparison.Ordinal)).Message;
        Assert.Contains("taken out after 2 failures (last error: IOException: planted sink failure on seq", line, StringComparison.Ordinal);
        Assert.Contains("7 of the 10 events it received were not written", line, StringComparison.Ordinal);
        var summary = SummaryTable.Format(result);
        Assert.Contains("Failed: sink out (plugin Acme.Out): taken out after 2 failures", summary, StringComparison.Ordinal);
        Assert.Contains("7 of the 10 events it received were not written", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sink_that_cannot_be_restarted_fails_the_run()
    {
        var starts = 0;
        var sink = new CollectingSinkFactory
        {
            FailWhen = e => Seq(e) == 1,
            OnStart = () => Interlocked.Increment(ref starts) > 1 ? throw new IOException("disk gone") : default,
        };
        var chain = new StageChain().AddRedact().Add(sink, "out", maxFailures: 0);

        var result = await chain.RunAsync(Events(4));

        var failure = Assert.Single(result.FailedStages);
        Assert.Equal(3, failure.Lost);
        Assert.Contains("could not be restarted (IOException: disk gone)", failure.Reason, StringComparison.Ordinal);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task A_sink_that_recovers_by_restarting_does_not_fail_the_run()
    {
        var sink = new CollectingSinkFactory { FailWhen = e => Seq(e) == 1 };
        var chain = new StageChain().Add(sink, "out", maxFailures: 0);

        var result = await chain.RunAsync(Events(4));

        Assert.True(result.Succeeded);
        Assert.Empty(result.FailedStages);
        Assert.Equal([0, 2, 3], sink.Received.Select(Seq));
    }

    [Fact]
    public async Task A_fail_closed_analyzer_taken_out_fails_the_run_with_what_it_dropped()
    {
        var failing = new DelegateAnalyzerFactory(_ => new LambdaAnalyzer { OnProcess = (_, _) => throw new InvalidOperationException("cannot redact") },
            OnError.Drop);
        var chain = new StageChain().Add(failing, "redact", "redact", OnError.Drop, maxFailures: 1).Add(new CollectingSinkFactory(), "out");

        var result = await chain.RunAsync(Events(5));

        var failure = Assert.Single(result.FailedStages);
        Assert.Equal(("redact", 5L), (failure.Id, failure.Lost));
        Assert.Contains(chain.Log.Entries, e => e.Message.StartsWith("Stage redact (plugin redact) failed: taken out after 1 failures", StringComparison.Ordinal)
            && e.Message.Contains("5 of the 5 events it received were dropped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_analyzer_that_lets_events_around_it_once_taken_out_does_not_fail_the_run()
    {
        var failing = new DelegateAnalyzerFactory(_ => new LambdaAnalyzer { OnProcess = (_, _) => throw new InvalidOperationException("boom") });
        var sink = new CollectingSinkFactory();
        var chain = new StageChain().Add(failing, "tagger", maxFailures: 1).Add(sink, "out");

        var result = await chain.RunAsync(Events(5));

        Assert.True(result.Succeeded);
        Assert.Equal(5, sink.Received.Count);
    }
}
