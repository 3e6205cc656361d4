using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static AgentSight.Tests.Support.PipelineHarness;

namespace AgentSight.Tests.Pipeline;

public sealed class EventPipelineTests
{
    private static IEnumerable<AgentEvent> Events(int count, long spacingNs = 1_000) =>
        Enumerable.Range(0, count).Select(i => Numbered(i, Some.Epoch + (i * spacingNs)));

    [Fact]
    public async Task Every_sink_gets_every_event_in_order_through_three_analyzers()
    {
        var first = new CollectingSinkFactory();
        var second = new CollectingSinkFactory();
        var harness = new PipelineHarness()
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer()))
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer()))
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer()))
            .Add(first, "first")
            .Add(second, "second");

        var metrics = await harness.RunAsync(Events(10_000));

        Assert.Equal(Enumerable.Range(0, 10_000), first.Received.Select(Seq));
        Assert.Equal(Enumerable.Range(0, 10_000), second.Received.Select(Seq));
        Assert.All(metrics.Stages, s => Assert.Equal(10_000, s.In));
        Assert.All(metrics.Stages, s => Assert.Equal(StageState.Stopped, s.State));
    }

    [Fact]
    public async Task Events_reach_the_sinks_read_only_so_an_analyzer_cannot_change_one_it_has_let_go()
    {
        // An analyzer that keeps what it emitted, as one that holds state might: once the sinks have the events,
        // a change through that reference fails at once instead of changing what the sinks are reading.
        var emitted = new List<AgentEvent>();
        var keeper = new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
        {
            OnProcess = (e, o) =>
            {
                emitted.Add(e);
                o.Emit(e);
            },
        });
        var first = new CollectingSinkFactory();
        var second = new CollectingSinkFactory();
        var harness = new PipelineHarness().Add(keeper, "keeper").Add(first, "first").Add(second, "second");

        await harness.RunAsync(Events(100));

        Assert.Equal(100, emitted.Count);
        Assert.All(emitted, e => Assert.True(e.IsShared));
        Assert.Throws<InvalidOperationException>(() => emitted[0].Fields!["seq"] = 1_000);
        Assert.Throws<InvalidOperationException>(() => emitted[^1].Timestamp = 0);
        Assert.Equal(Enumerable.Range(0, 100), first.Received.Select(Seq));
        Assert.Equal(Enumerable.Range(0, 100), second.Received.Select(Seq));
    }

    [Fact]
    public async Task An_analyzer_with_nothing_to_do_is_left_out_of_the_event_path_and_listed_as_bypassed()
    {
        var sink = new CollectingSinkFactory();
        var idle = new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
        {
            PassesEverything = true,
            OnProcess = (_, _) => throw new InvalidOperationException("a bypassed stage was given an event"),
        });
        var harness = new PipelineHarness()
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer()), "first")
            .Add(idle, "idle")
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer()), "last")
            .Add(sink, "sink");

        var metrics = await harness.RunAsync(Events(1_000));

        Assert.Equal(Enumerable.Range(0, 1_000), sink.Received.Select(Seq));
        var stage = metrics.Stages.Single(s => s.Id == "idle");
        Assert.Equal(StageState.Bypassed, stage.State);
        Assert.Equal((0, 0, 0), (stage.In, stage.Failed, stage.Restarts));
        Assert.Equal(1_000, metrics.Stages.Single(s => s.Id == "last").In);
        Assert.Matches(@"\n\s*2\s+idle\s+test-idle\s+analyzer\s+bypassed\s+-\s+-\s+-", SummaryTable.Format(metrics, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Analyzers_run_in_manifest_order()
    {
        var sink = new CollectingSinkFactory();
        IAnalyzer Tagger(string tag) => new LambdaAnalyzer
        {
            OnProcess = (e, o) =>
            {
                e.Fields!["path"] = (e.Fields["path"]?.GetValue<string>() ?? string.Empty) + tag;
                o.Emit(e);
            },
        };
        var harness = new PipelineHarness()
            .Add(new DelegateAnalyzerFactory(_ => Tagger("a")))
            .Add(new DelegateAnalyzerFactory(_ => Tagger("b")))
            .Add(new DelegateAnalyzerFactory(_ => Tagger("c")))
            .Add(sink);

        await harness.RunAsync(Events(5));

        Assert.All(sink.Received, e => Assert.Equal("abc", e.Fields!["path"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_analyzer_can_drop_split_and_hold_events_until_shutdown()
    {
        var sink = new CollectingSinkFactory();
        var held = new List<AgentEvent>();
        var harness = new PipelineHarness()
            // Drop odd events.
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer { OnProcess = (e, o) => { if (Seq(e) % 2 == 0) o.Emit(e); } }))
            // Split: each event and a copy.
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
            {
                OnProcess = (e, o) =>
                {
                    o.Emit(e);
                    o.Emit(new AgentEvent(e.Timestamp, "copy", e.Pid, e.Tid, e.Comm, new JsonPayload(new JsonObject { ["seq"] = Seq(e) })));
                },
            }))
            // Hold everything until flush.
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
            {
                OnProcess = (e, _) => held.Add(e),
                OnFlush = o => held.ForEach(o.Emit),
            }))
            .Add(sink);

        var metrics = await harness.RunAsync(Events(100));

        Assert.Equal(100, sink.Received.Count);
        Assert.Equal(50, sink.Received.Count(e => e.Source == "copy"));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * 2), sink.Received.Where(e => e.Source == "seq").Select(Seq));
        Assert.Equal([100, 50, 100, 100], metrics.Stages.Select(s => s.In));
        Assert.Equal([50, 100, 100, 100], metrics.Stages.Select(s => s.Out));
    }

    [Fact]
    public async Task Block_policy_loses_nothing_with_a_tiny_queue_and_a_slow_sink()
    {
        var sink = new CollectingSinkFactory { FailWhen = _ => { Thread.SpinWait(200); return false; } };
        var harness = new PipelineHarness()
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer()), capacity: 1)
            .Add(sink, capacity: 1);

        var metrics = await harness.RunAsync(Events(5_000));

        Assert.Equal(Enumerable.Range(0, 5_000), sink.Received.Select(Seq));
        Assert.All(metrics.Stages, s => Assert.Equal(0, s.Dropped));
    }

    [Theory]
    [InlineData(BackpressureNames.DropNewest)]
    [InlineData(BackpressureNames.DropOldest)]
    public async Task Drop_policies_count_every_dropped_event(string policyName)
    {
        Assert.True(BackpressureNames.TryParse(policyName, out var policy));
        const int count = 1_000;
        const int capacity = 10;
        using var gate = new SemaphoreSlim(0);
        var sink = new CollectingSinkFactory { Gate = gate };
        var harness = new PipelineHarness().Add(sink, capacity: capacity, backpressure: policy);

        using var pipeline = harness.Build();
        await pipeline.StartAsync(CancellationToken.None);
        var runner = new RunnerMetrics("test");
        foreach (var evt in Events(count))
        {
            await pipeline.Input.WriteAsync(evt, runner);
        }
        gate.Release(count);
        await pipeline.CompleteAsync();
        var stage = pipeline.Metrics.Snapshot().Stages.Single();

        var delivered = sink.Received.Select(Seq).ToList();
        Assert.Equal(count, delivered.Count + stage.Dropped);
        Assert.InRange(delivered.Count, capacity, capacity + 1);
        Assert.Equal(delivered.Order(), delivered);
        if (policy == Backpressure.DropNewest)
        {
            // Nothing is dropped before the queue is full, so the first events always get through.
            Assert.Equal(Enumerable.Range(0, capacity), delivered.Take(capacity));
        }
        else
        {
            // Nothing newer evicts the last events, so they always get through.
            Assert.Equal(Enumerable.Range(count - capacity, capacity), delivered.TakeLast(capacity));
        }
        Assert.Equal(BackpressureNames.Format(policy), stage.Backpressure);
    }

    [Theory]
    [InlineData(BackpressureNames.Block)]
    [InlineData(BackpressureNames.DropNewest)]
    [InlineData(BackpressureNames.DropOldest)]
    public async Task A_queue_that_filled_between_depth_samples_reports_its_capacity_as_its_high_water_mark(string policyName)
    {
        Assert.True(BackpressureNames.TryParse(policyName, out var policy));
        const int capacity = 10;
        // A clock that never moves: the depth sampler never runs, as between two samples of an idle recording.
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        using var gate = new SemaphoreSlim(0);
        var sink = new CollectingSinkFactory { Gate = gate };
        var harness = new PipelineHarness { EventTime = false, Time = time }.Add(sink, capacity: capacity, backpressure: policy);

        using var pipeline = harness.Build();
        await pipeline.StartAsync(CancellationToken.None);
        var runner = new RunnerMetrics("test");
        var writing = Task.Run(async () =>
        {
            foreach (var evt in Events(100))
            {
                await pipeline.Input.WriteAsync(evt, runner);
            }
        });
        // Blocked, the writer waits at a full queue; under a drop policy it goes on, and the queue fills and drops.
        await Until(() => pipeline.Metrics.Stages[0].Queue!.Count == capacity || writing.IsCompleted);
        gate.Release(1_000);
        await writing;
        await pipeline.CompleteAsync();

        var stage = pipeline.Metrics.Snapshot().Stages.Single();
        Assert.Equal(0, stage.QueueDepth);
        Assert.Equal(capacity, stage.QueueHighWater);
        Assert.Equal(policy == Backpressure.Block, stage.Dropped == 0);
    }

    [Fact]
    public async Task A_failing_analyzer_is_restarted_and_its_event_passes_on_unchanged()
    {
        var sink = new CollectingSinkFactory();
        var failing = new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
        {
            OnProcess = (e, o) =>
            {
                if (Seq(e) % 10 == 0)
                {
                    throw new InvalidOperationException("boom");
                }
                o.Emit(e);
            },
        });
        var harness = new PipelineHarness().Add(failing, maxFailures: 0).Add(sink);

        var metrics = await harness.RunAsync(Events(100));

        Assert.Equal(Enumerable.Range(0, 100), sink.Received.Select(Seq));
        var stage = metrics.Stages[0];
        Assert.Equal(10, stage.Failed);
        Assert.Equal(10, stage.Restarts);
        Assert.Equal(11, failing.Created);
        Assert.Equal(StageState.Stopped, stage.State);
    }

    [Fact]
    public async Task A_restarted_analyzer_starts_with_fresh_state_and_hands_over_what_it_held()
    {
        var sink = new CollectingSinkFactory();
        var harness = new PipelineHarness()
            .Add(new DelegateAnalyzerFactory(_ =>
            {
                var held = new List<AgentEvent>();
                return new LambdaAnalyzer
                {
                    OnProcess = (e, o) =>
                    {
                        if (Seq(e) == 5)
                        {
                            throw new InvalidOperationException("boom");
                        }
                        held.Add(e);
                        e.Fields!["held_with"] = held.Count;
                    },
                    OnFlush = o => held.ForEach(o.Emit),
                };
            }), maxFailures: 0)
            .Add(sink);

        await harness.RunAsync(Events(10));

        Assert.Equal(Enumerable.Range(0, 10), sink.Received.Select(Seq).Order());
        // The second instance's first event saw an empty list: its state was fresh.
        Assert.Equal(1, sink.Received.Single(e => Seq(e) == 6).Fields!["held_with"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_analyzer_that_keeps_failing_is_taken_out_and_events_go_around_it()
    {
        var sink = new CollectingSinkFactory();
        var harness = new PipelineHarness()
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
            {
                OnProcess = (e, o) =>
                {
                    e.Fields!["touched"] = true;
                    if (Seq(e) < 3)
                    {
                        throw new InvalidOperationException("boom");
                    }
                    o.Emit(e);
                },
            }, OnError.Pass), maxFailures: 3)
            .Add(sink);

        var metrics = await harness.RunAsync(Events(10));

        // A stage that passes on error is bypassed once taken out (one that drops fails closed: FailClosedStageTests).
        Assert.Equal(Enumerable.Range(0, 10), sink.Received.Select(Seq));
        Assert.All(sink.Received.Where(e => Seq(e) >= 3), e => Assert.Null(e.Fields!["touched"]));
        Assert.Equal(StageState.Removed, metrics.Stages[0].State);
        Assert.Equal(3, metrics.Stages[0].Failed);
    }

    [Fact]
    public async Task On_error_drop_removes_only_the_failing_events()
    {
        var sink = new CollectingSinkFactory();
        var harness = new PipelineHarness()
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
            {
                OnProcess = (e, o) =>
                {
                    if (Seq(e) % 4 == 0)
                    {
                        throw new InvalidOperationException("boom");
                    }
                    o.Emit(e);
                },
            }), maxFailures: 0, onError: OnError.Drop)
            .Add(sink);

        await harness.RunAsync(Events(20));

        Assert.Equal(Enumerable.Range(0, 20).Where(i => i % 4 != 0), sink.Received.Select(Seq));
    }

    [Fact]
    public async Task A_failing_sink_is_restarted_and_the_other_sink_sees_everything()
    {
        var healthy = new CollectingSinkFactory();
        var failing = new CollectingSinkFactory { FailWhen = e => Seq(e) % 50 == 0 };
        var harness = new PipelineHarness().Add(failing, "failing", maxFailures: 0).Add(healthy, "healthy");

        var metrics = await harness.RunAsync(Events(500));

        Assert.Equal(Enumerable.Range(0, 500), healthy.Received.Select(Seq));
        Assert.Equal(Enumerable.Range(0, 500).Where(i => i % 50 != 0), failing.Received.Select(Seq));
        Assert.Equal(10, metrics.Stages[0].Failed);
        Assert.Equal(10, metrics.Stages[0].Restarts);
        Assert.Equal(failing.Started, failing.Stopped);
    }

    [Fact]
    public async Task A_sink_taken_out_counts_the_events_it_no_longer_takes_as_dropped()
    {
        var failing = new CollectingSinkFactory { FailWhen = e => Seq(e) < 2 };
        var harness = new PipelineHarness().Add(failing, maxFailures: 2);

        var metrics = await harness.RunAsync(Events(10));

        var stage = metrics.Stages[0];
        Assert.Equal(StageState.Removed, stage.State);
        Assert.Equal(2, stage.Failed);
        Assert.Equal(8, stage.Dropped);
        Assert.Empty(failing.Received);
    }

    [Fact]
    public async Task Event_time_timers_fire_as_the_events_timestamps_advance()
    {
        var sink = new CollectingSinkFactory();
        var ticks = new List<long>();
        var harness = new PipelineHarness()
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
            {
                TimerInterval = TimeSpan.FromSeconds(1),
                OnTick = (now, _) => ticks.Add(now),
            }))
            .Add(sink);

        // Ten events half a second apart: 4.5 s of event time.
        await harness.RunAsync(Events(10, spacingNs: 500_000_000));

        Assert.Equal([1, 2, 3, 4], ticks.Select(t => (t - Some.Epoch) / 1_000_000_000));
    }

    [Fact]
    public async Task A_live_timer_wakes_the_chain_only_while_the_analyzer_holds_something()
    {
        var start = DateTimeOffset.UnixEpoch.AddYears(56).AddMilliseconds(300);
        var time = new FakeTimeProvider(start);
        var sink = new CollectingSinkFactory();
        var held = new List<AgentEvent>();
        var ticks = new ConcurrentQueue<long>();
        var harness = new PipelineHarness { EventTime = false, Time = time }
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
            {
                Interval = () => held.Count > 0 ? TimeSpan.FromSeconds(1) : TimeSpan.Zero,
                OnProcess = (e, _) => held.Add(e),
                OnTick = (now, o) =>
                {
                    ticks.Enqueue(now);
                    EmitAll(held, o);
                },
            }))
            .Add(sink);

        using var pipeline = harness.Build();
        await pipeline.StartAsync(CancellationToken.None);
        var runner = new RunnerMetrics("test");

        await pipeline.Input.WriteAsync(Events(1).Single(), runner);
        await Until(() => pipeline.Metrics.Snapshot().Stages[0].In == 1);
        await AdvanceUntil(time, () => sink.Received.Count == 1);
        // The timer the event started fell on the next whole second, 0.7 s after it, not a whole interval later.
        var first = Assert.Single(ticks);
        Assert.InRange(first - start.ToUnixTimeMilliseconds() * 1_000_000, 700_000_000, 950_000_000);

        // Nothing held: ten seconds pass without a tick.
        time.Advance(TimeSpan.FromSeconds(10));
        await Task.Delay(300);
        Assert.Single(ticks);

        // The next held event starts the timer again.
        await pipeline.Input.WriteAsync(Events(2).Last(), runner);
        await Until(() => pipeline.Metrics.Snapshot().Stages[0].In == 2);
        await AdvanceUntil(time, () => sink.Received.Count == 2);
        Assert.Equal(2, ticks.Count);

        await pipeline.CompleteAsync();
    }

    [Fact]
    public async Task Live_timers_fire_while_no_event_arrives()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var sink = new CollectingSinkFactory();
        var held = new List<AgentEvent>();
        var harness = new PipelineHarness { EventTime = false, Time = time }
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
            {
                TimerInterval = TimeSpan.FromSeconds(1),
                OnProcess = (e, _) => held.Add(e),
                OnTick = (_, o) => EmitAll(held, o),
            }))
            .Add(sink);

        using var pipeline = harness.Build();
        await pipeline.StartAsync(CancellationToken.None);
        var runner = new RunnerMetrics("test");
        foreach (var evt in Events(3))
        {
            await pipeline.Input.WriteAsync(evt, runner);
        }
        await Until(() => pipeline.Metrics.Snapshot().Stages[0].In == 3);
        Assert.Empty(sink.Received);

        time.Advance(TimeSpan.FromSeconds(1.5));
        await AdvanceUntil(time, () => sink.Received.Count == 3);

        await pipeline.CompleteAsync();
        Assert.Equal([0, 1, 2], sink.Received.Select(Seq));
    }

    [Fact]
    public async Task A_factory_that_throws_stops_the_start_and_names_the_stage()
    {
        var harness = new PipelineHarness()
            .Add(new DelegateAnalyzerFactory(_ => throw new ArgumentException("bad things")), "broken")
            .Add(new CollectingSinkFactory());

        var error = Assert.Throws<PipelineStartException>(() => harness.Build());

        Assert.Contains("\"broken\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("bad things", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sink_that_cannot_open_stops_the_start_and_closes_the_sinks_already_open()
    {
        var opened = new CollectingSinkFactory();
        var broken = new CollectingSinkFactory { OnStart = () => throw new IOException("disk on fire") };
        var harness = new PipelineHarness().Add(opened, "opened").Add(broken, "broken");
        using var pipeline = harness.Build();

        var error = await Assert.ThrowsAsync<PipelineStartException>(() => pipeline.StartAsync(CancellationToken.None));

        Assert.Contains("\"broken\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("disk on fire", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, opened.Stopped);
    }

    [Fact]
    public async Task A_run_opens_its_sinks_while_the_analyzers_are_created()
    {
        var opening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new CollectingSinkFactory { OnStart = () => { opening.TrySetResult(); return default; } };
        // The analyzer's constructor returns only once the sink has begun to open: one after the other, it would time out.
        var analyzer = new DelegateAnalyzerFactory(_ => opening.Task.Wait(TimeSpan.FromSeconds(10))
            ? new LambdaAnalyzer()
            : throw new TimeoutException("the sink did not open while the analyzer was created"));
        var harness = new PipelineHarness().Add(analyzer, "waits").Add(sink, "sink");
        var plan = harness.Plan();

        using var pipeline = await EventPipeline.CreateAndStartAsync(plan, harness.Loggers, harness.Time, eventTime: true,
            EventPipeline.CreateMetrics(plan, harness.Time), CancellationToken.None);

        Assert.Equal(1, sink.Started);
        await pipeline.CompleteAsync();
        Assert.Equal(1, sink.Stopped);
    }

    [Fact]
    public async Task An_analyzer_that_cannot_be_created_closes_the_sinks_that_opened_meanwhile()
    {
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new CollectingSinkFactory { OnStart = () => { opened.TrySetResult(); return default; } };
        var analyzer = new DelegateAnalyzerFactory(_ =>
        {
            opened.Task.Wait(TimeSpan.FromSeconds(10));
            throw new ArgumentException("bad things");
        });
        var harness = new PipelineHarness().Add(analyzer, "broken").Add(sink, "sink");
        var plan = harness.Plan();

        var error = await Assert.ThrowsAsync<PipelineStartException>(() => EventPipeline.CreateAndStartAsync(plan, harness.Loggers,
            harness.Time, eventTime: true, EventPipeline.CreateMetrics(plan, harness.Time), CancellationToken.None));

        Assert.Contains("\"broken\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("bad things", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, sink.Started);
        Assert.Equal(1, sink.Stopped);
    }

    [Fact]
    public async Task Without_sinks_events_are_processed_and_discarded()
    {
        var seen = 0;
        var harness = new PipelineHarness().Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer
        {
            OnProcess = (e, o) =>
            {
                seen++;
                o.Emit(e);
            },
        }));

        var metrics = await harness.RunAsync(Events(50));

        Assert.Equal(50, seen);
        Assert.Equal(50, metrics.Stages[0].Out);
    }

    /// <summary>Hands on everything a holding analyzer kept, in order, and forgets it.</summary>
    private static void EmitAll(List<AgentEvent> held, IEventOutput output)
    {
        held.ForEach(output.Emit);
        held.Clear();
    }

    /// <summary>
    /// Moves a fake clock on 50 ms at a time until <paramref name="condition"/> holds. On a loaded machine a stage may
    /// measure its wait before a jump and register it just after, from the new time: a real clock moves on by itself,
    /// this one is nudged until the timer fires.
    /// </summary>
    private static Task AdvanceUntil(FakeTimeProvider time, Func<bool> condition) => Until(() =>
    {
        if (!condition())
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
        }
        return condition();
    });

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(10);
        }
    }
}
