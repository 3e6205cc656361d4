using System.Diagnostics;
using AgentSight.Contracts;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Support.PipelineHarness;

namespace AgentSight.Tests.Pipeline;

/// <summary>
/// A plugin call that never returns cannot hold a shutdown forever: once the run is asked to stop (or its sources are
/// done), the stages have the shutdown bound to drain; then the run ends, names the stage that holds it and what it
/// is doing, counts the events still queued as lost, and fails.
/// </summary>
public sealed class ShutdownBoundTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The bound waits with Task.Delay, whose timer has millisecond resolution; the test's clock is a Stopwatch: the two
    /// may disagree by under a millisecond, early or late.
    /// </summary>
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(20);

    /// <summary>Released when the test ends, so that no thread stays blocked in a test plugin.</summary>
    private readonly ManualResetEventSlim _release = new();

    private readonly TaskCompletionSource _hanging = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        _release.Set();
        _release.Dispose();
    }

    private static IEnumerable<AgentEvent> Events(int count) => Enumerable.Range(0, count).Select(i => Numbered(i, Some.Epoch + i));

    private void Hang()
    {
        _hanging.TrySetResult();
        _release.Wait();
    }

    private async Task<(Host.Pipeline.SessionResult Result, TimeSpan Took)> StopWhenHangingAsync(StageChain chain, IEnumerable<AgentEvent> events)
    {
        using var stop = new CancellationTokenSource();
        // On the pool: a constructor that hangs must not hold the test's own thread.
        var run = Task.Run(() => chain.RunAsync(new ListRunner(events, waitForStop: true), stop.Token));
        await _hanging.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var signalled = Stopwatch.StartNew();
        await stop.CancelAsync();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));
        return (result, signalled.Elapsed);
    }

    [Fact]
    public async Task A_stage_hung_in_process_ends_the_shutdown_after_the_bound_naming_it_and_counting_the_queued_events()
    {
        var hanger = new DelegateAnalyzerFactory(_ => new LambdaAnalyzer { OnProcess = (_, _) => Hang() });
        var chain = new StageChain { ShutdownTimeout = Bound }.Add(hanger, "stuck", "Acme.Stuck").Add(new CollectingSinkFactory(), "out");

        var (result, took) = await StopWhenHangingAsync(chain, Events(3));

        Assert.InRange(took, Bound - TimerSlack, Bound + TimeSpan.FromSeconds(3));
        Assert.False(result.Succeeded);
        var stuck = result.StuckShutdown!;
        // One event is in the plugin's hands; the two behind it are still queued.
        Assert.Equal(2, stuck.Queued);
        var line = Assert.Single(chain.Log.Entries, e => e.Message.StartsWith("Shutdown gave up after 0.5 s", StringComparison.Ordinal)).Message;
        Assert.Contains("stage stuck (plugin Acme.Stuck) has not returned from Process", line, StringComparison.Ordinal);
        Assert.Contains("2 events still queued are lost", line, StringComparison.Ordinal);
        Assert.Contains("Shutdown gave up after 0.5 s", Host.Pipeline.SummaryTable.Format(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stage_hung_in_flush_at_the_end_of_the_input_ends_the_run_after_the_bound_without_a_signal()
    {
        var hanger = new DelegateAnalyzerFactory(_ => new LambdaAnalyzer { OnFlush = _ => Hang() });
        var sink = new CollectingSinkFactory();
        var chain = new StageChain { ShutdownTimeout = Bound }.Add(hanger, "stuck").Add(sink, "out");

        var took = Stopwatch.StartNew();
        var result = await Task.Run(() => chain.RunAsync(Events(3))).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.InRange(took.Elapsed, Bound - TimerSlack, Bound + TimeSpan.FromSeconds(3));
        Assert.False(result.Succeeded);
        Assert.Equal(0, result.StuckShutdown!.Queued);
        Assert.Equal(3, sink.Received.Count);
        Assert.Contains(chain.Log.Entries, e => e.Message.Contains("stage stuck (plugin stuck) has not returned from Flush", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_sink_hung_in_write_is_named_and_the_stage_waiting_behind_it_is_not()
    {
        var sink = new CollectingSinkFactory { FailWhen = _ => { Hang(); return false; } };
        var chain = new StageChain { ShutdownTimeout = Bound }
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer()), "before")
            .Add(sink, "out", "Acme.Out", capacity: 1);

        var (result, _) = await StopWhenHangingAsync(chain, Events(10));

        Assert.False(result.Succeeded);
        var line = Assert.Single(chain.Log.Entries, e => e.Message.StartsWith("Shutdown gave up", StringComparison.Ordinal)).Message;
        Assert.Contains("sink out (plugin Acme.Out) has not returned from Write", line, StringComparison.Ordinal);
        Assert.DoesNotContain("stage before", line, StringComparison.Ordinal);
        Assert.True(result.StuckShutdown!.Queued > 0);
    }

    [Fact]
    public async Task A_plugin_hung_in_its_constructor_does_not_hold_the_first_signal()
    {
        var hanger = new DelegateAnalyzerFactory(_ =>
        {
            Hang();
            return new LambdaAnalyzer();
        });
        var chain = new StageChain { ShutdownTimeout = Bound }.Add(hanger, "stuck", "Acme.Stuck").Add(new CollectingSinkFactory(), "out");

        var (result, took) = await StopWhenHangingAsync(chain, Events(1));

        Assert.InRange(took, Bound - TimerSlack, Bound + TimeSpan.FromSeconds(3));
        Assert.False(result.Succeeded);
        Assert.Contains(chain.Log.Entries, e => e.Message.Contains("stage stuck (plugin Acme.Stuck) has not returned from Create", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_slow_drain_that_finishes_within_the_bound_is_a_clean_shutdown()
    {
        var slow = new DelegateAnalyzerFactory(_ => new LambdaAnalyzer { OnFlush = _ => Thread.Sleep(100) });
        var sink = new CollectingSinkFactory();
        var chain = new StageChain { ShutdownTimeout = Bound }.Add(slow, "slow").Add(sink, "out");

        var result = await chain.RunAsync(Events(100));

        Assert.True(result.Succeeded);
        Assert.Null(result.StuckShutdown);
        Assert.Equal(100, sink.Received.Count);
    }
}
