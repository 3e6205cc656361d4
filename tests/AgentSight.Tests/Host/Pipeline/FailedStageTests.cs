using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Support.PipelineHarness;

namespace AgentSight.Tests.Pipeline;

/// <summary>
/// A sink taken out of the pipeline lost events: the run has failed (exit code 1), and says which sink, why, and how
/// many events it did not write. So does a fail-closed analyzer taken out, which drops every later event, a sink whose
/// last flush or stop throws (what it still held is not written), and an analyzer whose last flush throws (what it
/// held never reaches the sinks).
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
        Assert.Equal(("out", "Acme.Out", 10L, (long?)7), (failure.Id, failure.Plugin, failure.Received, failure.Lost));
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
        Assert.Equal((long?)3, failure.Lost);
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
            OnError.Drop, [StageRoles.Redaction]);
        var chain = new StageChain().Add(failing, "redact", "redact", OnError.Drop, maxFailures: 1).Add(new CollectingSinkFactory(), "out");

        var result = await chain.RunAsync(Events(5));

        var failure = Assert.Single(result.FailedStages);
        Assert.Equal(("redact", (long?)5), (failure.Id, failure.Lost));
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

    [Fact]
    public async Task A_sink_whose_stop_throws_fails_the_run_and_counts_what_it_did_not_write()
    {
        // Like the file sink on a full disk: it counts what it could not write in events_dropped, then its stop throws.
        var sink = new CollectingSinkFactory
        {
            OnStop = context =>
            {
                context.Counter("events_dropped").Add(4);
                throw new IOException("could not write 4 events");
            },
        };
        var chain = new StageChain().AddRedact().Add(sink, "out", "Acme.Out");

        var result = await chain.RunAsync(Events(10));

        Assert.False(result.Succeeded);
        var failure = Assert.Single(result.FailedStages);
        Assert.Equal(("out", 10L, (long?)4), (failure.Id, failure.Received, failure.Lost));
        Assert.Contains(chain.Log.Entries, e => e.Message == "Sink out (plugin Acme.Out) failed: its stop threw (IOException: could not write 4 events); "
            + "4 of the 10 events it received were not written");
        Assert.Contains("Failed: sink out (plugin Acme.Out): its stop threw (IOException: could not write 4 events); 4 of the 10 events it received were not written",
            SummaryTable.Format(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sink_whose_stop_throws_without_counting_its_losses_fails_the_run_without_a_count()
    {
        var sink = new CollectingSinkFactory { OnStop = _ => throw new IOException("connection reset") };
        var chain = new StageChain().AddRedact().Add(sink, "out", "Acme.Out");

        var result = await chain.RunAsync(Events(3));

        Assert.False(result.Succeeded);
        var failure = Assert.Single(result.FailedStages);
        Assert.Null(failure.Lost);
        Assert.Equal("sink out (plugin Acme.Out): its stop threw (IOException: connection reset); some of the 3 events it received may not have been written",
            failure.ToString());
    }

    [Fact]
    public async Task An_analyzer_whose_last_flush_throws_fails_the_run_for_what_it_held()
    {
        var holding = new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
        {
            OnProcess = (_, _) => { },
            OnFlush = _ => throw new InvalidOperationException("state lost"),
        });
        var sink = new CollectingSinkFactory();
        var chain = new StageChain().Add(holding, "merge", "Acme.Merge").AddRedact().Add(sink, "out");

        var result = await chain.RunAsync(Events(5));

        Assert.False(result.Succeeded);
        Assert.Empty(sink.Received);
        var failure = Assert.Single(result.FailedStages);
        Assert.Equal(("merge", PluginKind.Analyzer, (long?)null), (failure.Id, failure.Kind, failure.Lost));
        // Before redact: the exception's message may quote an event, so only its type is shown.
        Assert.Equal($"stage merge (plugin Acme.Merge): its last flush threw (InvalidOperationException ({WithheldMessageException.Withheld})); "
            + "what it still held of the 5 events it received was lost", failure.ToString());
    }
}
