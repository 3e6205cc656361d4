using AgentSight.Contracts;
using Xunit;

namespace AgentSight.Contracts.Testing;

/// <summary>
/// The rules every analyzer keeps, as tests: derive one class per plugin, give it <see cref="StageConformance{TFactory}.SampleEvents"/>
/// and, where they apply, wrong configurations, a configuration that passes everything, and events it holds.
/// </summary>
/// <typeparam name="TFactory">The analyzer's factory.</typeparam>
/// <remarks>
/// Each test calls the plugin as the host does (<see cref="IAnalyzer"/>): one call at a time, the stage clock moved to
/// each event's timestamp before it is handed over, <see cref="IAnalyzer.OnTimer"/> once the clock passes each
/// <see cref="IAnalyzer.TimerInterval"/>, <see cref="IAnalyzer.Flush"/> once at the end, then
/// <see cref="IDisposable.Dispose"/>; after a call throws, a flush of the failed instance and a fresh instance.
/// </remarks>
public abstract class AnalyzerConformance<TFactory> : StageConformance<TFactory>
    where TFactory : IAnalyzerFactory, new()
{
    /// <summary>
    /// A configuration with which the analyzer has nothing to do and says so (<see cref="IAnalyzer.PassesEverything"/>),
    /// such as a filter without patterns; null when it never does.
    /// </summary>
    protected virtual PluginConfig? PassesEverythingConfig() => null;

    /// <summary>
    /// Events after which the analyzer holds something that only <see cref="IAnalyzer.Flush"/> lets out (a request
    /// whose response never came); none when it holds nothing after <see cref="StageConformance{TFactory}.SampleEvents"/> either.
    /// </summary>
    protected virtual IEnumerable<AgentEvent> Unfinished() => [];

    /// <summary>
    /// False for an analyzer that drops events of sources it does not read (an allow-list filter). Every built-in
    /// lets them go on unchanged; the contract does not require it.
    /// </summary>
    protected virtual bool PassesOtherSources => true;

    /// <summary>The factory makes analyzers, with a defined choice for the events they throw on.</summary>
    [Fact]
    public void The_factory_makes_analyzers()
    {
        Assert.Equal(PluginKind.Analyzer, Factory.Kind);
        Assert.True(Enum.IsDefined(Factory.DefaultOnError), $"DefaultOnError {Factory.DefaultOnError} is not an OnError value");
    }

    /// <summary>Created, fed the sample with its timers, flushed, disposed (twice): no call throws, the timer interval is not negative.</summary>
    [Fact]
    public void It_runs_the_sample_through_its_whole_lifecycle()
    {
        var sample = SampleEvents().ToList();
        Assert.NotEmpty(sample);
        var run = new Run(this);

        Assert.True(run.Analyzer.TimerInterval >= TimeSpan.Zero, $"TimerInterval is negative ({run.Analyzer.TimerInterval})");
        run.Feed(sample);
        run.Analyzer.OnTimer(run.Context.Now + Math.Max(run.Analyzer.TimerInterval.Ticks * 100, 1), run.Output);
        run.Flush();
        run.Dispose();
        run.Dispose();
    }

    /// <summary>A flush with nothing seen emits nothing and throws nothing (the host flushes an instance that may have seen no event).</summary>
    [Fact]
    public void A_flush_before_any_event_emits_nothing()
    {
        var run = new Run(this);

        run.Flush();
        run.Dispose();

        Assert.Empty(run.Output.Events);
    }

    /// <summary>
    /// Nothing is lost at the end: events of a source no plugin reads, put among the sample, come out by the end of
    /// <see cref="IAnalyzer.Flush"/>, unchanged, once each, in their order.
    /// </summary>
    [Fact]
    public void Events_it_does_not_read_come_out_unchanged_and_in_order_by_the_end_of_the_flush()
    {
        if (!PassesOtherSources)
        {
            return;
        }
        var input = WithMarkers(SampleEvents().ToList());
        var markers = input.Where(e => e.Source == ConformanceEvents.MarkerSource).ToList();
        var before = markers.Select(AgentEventJson.ToJson).ToList();
        var run = new Run(this);

        run.Feed(input);
        run.Flush();
        run.Dispose();

        var out_ = run.Output.Events.Where(e => e.Source == ConformanceEvents.MarkerSource).ToList();
        Assert.True(out_.Count == markers.Count, $"{markers.Count} events of source {ConformanceEvents.MarkerSource} went in, {out_.Count} came out");
        for (var i = 0; i < markers.Count; i++)
        {
            Assert.Same(markers[i], out_[i]);
            Assert.Equal(before[i], AgentEventJson.ToJson(out_[i]));
        }
    }

    /// <summary>What the analyzer holds comes out at <see cref="IAnalyzer.Flush"/>; with nothing declared held, the flush after the sample emits nothing.</summary>
    [Fact]
    public void What_it_holds_comes_out_at_the_flush()
    {
        var unfinished = Unfinished().ToList();
        var run = new Run(this);
        run.Feed(unfinished.Count > 0 ? unfinished : SampleEvents());
        var beforeFlush = run.Output.Events.Count;

        run.Flush();
        run.Dispose();

        var emitted = run.Output.Events.Count - beforeFlush;
        if (unfinished.Count > 0)
        {
            Assert.True(emitted > 0, "Unfinished() leaves something held, but the flush emitted nothing: what it held is lost at shutdown");
        }
        else
        {
            Assert.True(emitted == 0, $"the flush after the sample emitted {emitted} events ({string.Join(", ", run.Output.Events.Skip(beforeFlush).Take(5))}): list events it holds in Unfinished()");
        }
    }

    /// <summary>
    /// An instance that says <see cref="IAnalyzer.PassesEverything"/> (the host then leaves it out of the path) emits
    /// every event at once, the same object, unchanged, and holds nothing.
    /// </summary>
    [Fact]
    public void An_analyzer_that_passes_everything_emits_every_event_unchanged_at_once()
    {
        var configs = new List<PluginConfig> { Config() };
        if (PassesEverythingConfig() is { } passing)
        {
            configs.Add(passing);
            var claims = new Run(this, passing);
            Assert.True(claims.Analyzer.PassesEverything, "PassesEverythingConfig() gives an instance that does not say PassesEverything");
            claims.Dispose();
        }
        foreach (var config in configs)
        {
            var run = new Run(this, config);
            if (!run.Analyzer.PassesEverything)
            {
                run.Dispose();
                continue;
            }
            foreach (var evt in WithMarkers(SampleEvents().ToList()))
            {
                var json = AgentEventJson.ToJson(evt);
                var emitted = run.Output.Events.Count;
                run.Feed([evt]);
                Assert.True(run.Output.Events.Count == emitted + 1, $"it says PassesEverything, but emitted {run.Output.Events.Count - emitted} events for {evt}");
                Assert.Same(evt, run.Output.Events[^1]);
                Assert.Equal(json, AgentEventJson.ToJson(evt));
            }
            var all = run.Output.Events.Count;
            run.Flush();
            run.Dispose();
            Assert.Equal(all, run.Output.Events.Count);
        }
    }

    /// <summary>
    /// Two instances share nothing (the host makes a fresh one after a failure, and may run one per stage): fed
    /// the sample event by event in turn, each emits what one alone does.
    /// </summary>
    [Fact]
    public void Two_instances_share_no_state()
    {
        var alone = Describe(new Run(this).RunToEnd(SampleEvents()));
        var first = new Run(this);
        var second = new Run(this);

        foreach (var (a, b) in SampleEvents().Zip(SampleEvents()))
        {
            first.Feed([a]);
            second.Feed([b]);
        }
        first.Flush();
        second.Flush();
        first.Dispose();
        second.Dispose();

        Assert.Equal(alone, Describe(first.Output.Events));
        Assert.Equal(alone, Describe(second.Output.Events));
    }

    /// <summary>
    /// Odd events (a payload of the wrong kind, no fields, fields of the wrong type) are handled or refused with an
    /// exception the host contains: every call returns, the failed instance can still be flushed and disposed, and a
    /// fresh instance afterwards behaves as if nothing had happened.
    /// </summary>
    [Fact]
    public async Task Odd_events_are_handled_or_refused_with_an_exception_the_host_can_contain()
    {
        var alone = Describe(new Run(this).RunToEnd(SampleEvents()));

        await Bounded("processing odd events", () =>
        {
            var run = new Run(this);
            foreach (var odd in ConformanceEvents.Odd(SampleEvents()))
            {
                try
                {
                    run.Feed([odd]);
                }
                catch (Exception)
                {
                    // What the host does after a failure: flush and dispose the failed instance, make a fresh one.
                    try
                    {
                        run.Flush();
                    }
                    catch (Exception)
                    {
                    }
                    try
                    {
                        run.Dispose();
                    }
                    catch (Exception)
                    {
                    }
                    run = new Run(this);
                }
            }
            try
            {
                run.Flush();
            }
            catch (Exception)
            {
            }
            run.Dispose();
            return Task.CompletedTask;
        });

        Assert.Equal(alone, Describe(new Run(this).RunToEnd(SampleEvents())));
    }

    private List<string> Describe(List<AgentEvent> events) => [.. events.Select(Describe)];

    /// <summary>The sample with a marker before the first event, after every third and after the last.</summary>
    private static List<AgentEvent> WithMarkers(List<AgentEvent> sample)
    {
        var input = new List<AgentEvent>();
        var number = 0;
        input.Add(ConformanceEvents.Marker(number++, sample.Count > 0 ? sample[0].Timestamp : 1));
        for (var i = 0; i < sample.Count; i++)
        {
            input.Add(sample[i]);
            if (i % 3 == 2 || i == sample.Count - 1)
            {
                input.Add(ConformanceEvents.Marker(number++, sample[i].Timestamp));
            }
        }
        return input;
    }

    /// <summary>One instance driven as the host drives it.</summary>
    private sealed class Run
    {
        private long _nextTimer;
        private long _interval;

        public Run(AnalyzerConformance<TFactory> suite, PluginConfig? config = null)
        {
            Analyzer = suite.Factory.Create(config ?? suite.Config(), Context);
        }

        public ConformanceContext Context { get; } = new();

        public IAnalyzer Analyzer { get; }

        public ConformanceOutput Output { get; } = new();

        public void Feed(IEnumerable<AgentEvent> events)
        {
            foreach (var evt in events)
            {
                Context.Now = Math.Max(Context.Now, evt.Timestamp);
                Analyzer.Process(evt, Output);
                ReadInterval();
                if (_interval <= 0)
                {
                    continue;
                }
                if (_nextTimer == 0)
                {
                    _nextTimer = Context.Now + _interval;
                }
                else if (Context.Now >= _nextTimer)
                {
                    _nextTimer = Context.Now + _interval;
                    Analyzer.OnTimer(Context.Now, Output);
                    ReadInterval();
                }
            }
        }

        /// <summary>As the host does since 2.1: the interval is read after every call; a changed one starts a new deadline.</summary>
        private void ReadInterval()
        {
            var current = Analyzer.TimerInterval.Ticks * 100;
            Assert.True(current >= 0, $"TimerInterval is negative ({Analyzer.TimerInterval})");
            if (current != _interval)
            {
                _interval = current;
                _nextTimer = 0;
            }
        }

        public void Flush() => Analyzer.Flush(Output);

        public void Dispose() => (Analyzer as IDisposable)?.Dispose();

        public List<AgentEvent> RunToEnd(IEnumerable<AgentEvent> events)
        {
            Feed(events);
            Flush();
            Dispose();
            return Output.Events;
        }
    }
}
