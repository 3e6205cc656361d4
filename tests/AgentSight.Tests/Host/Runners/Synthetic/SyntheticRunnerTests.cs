using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners.Synthetic;
using AgentSight.Traffic;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AgentSight.Tests.Runners;

/// <summary>The synthetic runner feeds the pipeline with the generator's traffic, paced in wall-clock time.</summary>
public sealed class SyntheticRunnerTests
{
    private static SyntheticRunner Runner(SyntheticOptions options, TimeProvider? time = null, EventTimeClock? clock = null) =>
        new(options, new RecordingLogger<SyntheticRunner>(), time, clock);

    [Fact]
    public async Task The_runner_writes_exactly_the_generated_events_in_order()
    {
        var options = new SyntheticOptions { Count = 7, Seed = 21, IntervalMs = 0, StartTime = Some.Epoch };

        var (events, metrics) = await RunnerHarness.RunAsync(Runner(options));

        Assert.Equal(SyntheticTraffic.Generate(options).Events.Select(RunnerHarness.Line), events.Select(RunnerHarness.Line));
        Assert.Equal(events.Count, metrics.Produced);
        Assert.Equal("synthetic", metrics.Name);
    }

    [Fact]
    public async Task Without_a_start_time_the_traffic_starts_now()
    {
        var now = new DateTimeOffset(2027, 2, 3, 4, 5, 6, TimeSpan.Zero);
        var time = new FakeTimeProvider(now);
        var nowNs = (now - DateTimeOffset.UnixEpoch).Ticks * 100;

        var (events, _) = await RunnerHarness.RunAsync(Runner(new SyntheticOptions { Count = 2, IntervalMs = 0 }, time));

        Assert.InRange(events[0].Timestamp, nowNs, nowNs + 1_000_000_000);
    }

    [Fact]
    public async Task Calls_are_written_an_interval_apart_in_wall_clock_time()
    {
        var time = new FakeTimeProvider();
        var options = new SyntheticOptions { Count = 3, Seed = 4, IntervalMs = 1_000, Provider = SyntheticProvider.Anthropic, StartTime = Some.Epoch };
        var target = new CollectingTarget();
        var perCall = new SyntheticTraffic(options).Episodes().SelectMany(e => e.CallIndexes).ToList();
        int EventsBeforeCall(int index) => perCall.TakeWhile(c => c < index).Count();

        var run = RunnerHarness.RunAsync(Runner(options, time), target);
        await target.WaitForCountAsync(EventsBeforeCall(1));
        await Task.Delay(100);
        Assert.Equal(EventsBeforeCall(1), target.Count);

        time.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(100);
        Assert.Equal(EventsBeforeCall(1), target.Count);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await target.WaitForCountAsync(EventsBeforeCall(2));
        time.Advance(TimeSpan.FromSeconds(1));
        await run;
        Assert.Equal(perCall.Count, target.Count);
    }

    [Fact]
    public async Task Stopping_the_runner_keeps_what_it_wrote_and_returns_normally()
    {
        using var stop = new CancellationTokenSource();
        var target = new CollectingTarget { AfterWrite = count => { if (count == 4) stop.Cancel(); } };

        var (events, metrics) = await RunnerHarness.RunAsync(Runner(new SyntheticOptions { Count = 50, IntervalMs = 0, StartTime = Some.Epoch }), target, stop.Token);

        Assert.Equal(4, events.Count);
        Assert.Equal(4, metrics.Produced);
    }

    [Fact]
    public async Task Stopping_during_the_pause_between_calls_returns_promptly()
    {
        using var stop = new CancellationTokenSource();
        var target = new CollectingTarget();
        var run = RunnerHarness.RunAsync(Runner(new SyntheticOptions { Count = 5, IntervalMs = 3_600_000, StartTime = Some.Epoch }), target, stop.Token);
        await target.WaitForCountAsync(1);

        await stop.CancelAsync();
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.Same(run, finished);
        await run;
        Assert.True(target.Count > 0);
    }

    [Fact]
    public async Task No_calls_means_no_events()
    {
        var (events, _) = await RunnerHarness.RunAsync(Runner(new SyntheticOptions { Count = 0 }));

        Assert.Empty(events);
    }

    [Fact]
    public async Task The_event_time_clock_follows_the_events_written()
    {
        var clock = new EventTimeClock();
        var options = new SyntheticOptions { Count = 3, IntervalMs = 0, StartTime = Some.Epoch };

        var (events, _) = await RunnerHarness.RunAsync(Runner(options, clock: clock));

        Assert.Equal(events.Max(e => e.Timestamp), clock.Now);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(1, -5)]
    public void Invalid_options_are_refused_when_the_runner_is_made(int count, int interval)
    {
        var error = Assert.Throws<ArgumentException>(() => Runner(new SyntheticOptions { Count = count, IntervalMs = interval }));

        Assert.StartsWith("synthetic:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Provider_names_read_back_to_themselves_and_unknown_names_are_refused()
    {
        foreach (var name in SyntheticProviders.Names)
        {
            Assert.True(SyntheticProviders.TryParse(name.ToUpperInvariant(), out var provider));
            Assert.Equal(name, SyntheticProviders.Name(provider.Value));
        }
        Assert.False(SyntheticProviders.TryParse("claude", out _));
    }
}
