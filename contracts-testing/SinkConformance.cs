using AgentSight.Contracts;
using Xunit;

namespace AgentSight.Contracts.Testing;

/// <summary>
/// The rules every sink keeps, as tests: derive one class per plugin, give it <see cref="StageConformance{TFactory}.SampleEvents"/>,
/// a configuration that writes into a given folder, wrong configurations, and, where the output can be read back,
/// how many events it holds.
/// </summary>
/// <typeparam name="TFactory">The sink's factory.</typeparam>
/// <remarks>
/// Each test calls the plugin as the host does (<see cref="ISink"/>): created without touching the outside world,
/// started once, written one event at a time (each marked shared, as a <see cref="ReadOnlyEvent"/>), flushed, stopped; after a call throws, the failed instance flushed and
/// stopped and a fresh one created and started from the same configuration.
/// </remarks>
public abstract class SinkConformance<TFactory> : StageConformance<TFactory>
    where TFactory : ISinkFactory, new()
{
    /// <summary>The tests' configuration: <see cref="ConfigIn"/> the test's <see cref="StageConformance{TFactory}.Workspace"/>.</summary>
    protected sealed override PluginConfig Config() => ConfigIn(Workspace);

    /// <summary>
    /// A valid configuration whose outputs (files, databases) all go into <paramref name="folder"/>, which exists and
    /// is empty; a sink that needs a backend may name one that is not there, where its contract allows that.
    /// </summary>
    protected virtual PluginConfig ConfigIn(string folder) => Factory.CreateDefaultConfig();

    /// <summary>
    /// How many events the output of <see cref="ConfigIn"/>(<paramref name="folder"/>) holds now, read back as a
    /// user would (lines of a file, rows of a database); null when it cannot be read back here.
    /// </summary>
    protected virtual Task<long?> CountWrittenAsync(string folder) => Task.FromResult<long?>(null);

    /// <summary>
    /// How long after <see cref="ISink.FlushAsync"/> the output may still lag, for a sink that writes on a timer by
    /// design (a database transaction per interval rather than per flush); zero, the default, means a flush writes it out.
    /// </summary>
    protected virtual TimeSpan OutputLag => TimeSpan.Zero;

    /// <summary>The factory makes sinks.</summary>
    [Fact]
    public void The_factory_makes_sinks() => Assert.Equal(PluginKind.Sink, Factory.Kind);

    /// <summary>
    /// Creating a sink touches nothing (the host creates every stage before it starts any, so a mistake elsewhere
    /// leaves everything untouched), and one stopped without being started (twice) does not either.
    /// </summary>
    [Fact]
    public async Task Creating_touches_nothing_and_a_sink_never_started_stops_twice()
    {
        var sink = Factory.Create(Config(), new ConformanceContext());
        AssertUntouched("creating the sink");

        await Bounded("StopAsync without StartAsync", async () => await sink.StopAsync(CancellationToken.None));
        await Bounded("a second StopAsync", async () => await sink.StopAsync(CancellationToken.None));

        AssertUntouched("stopping a sink that never started");
        await DisposeTwiceAsync(sink);
    }

    /// <summary>
    /// Started, given the sample, flushed, stopped twice, then disposed twice if it is disposable: no call throws,
    /// no event is changed (events are shared between sinks), and the output holds every event.
    /// </summary>
    [Fact]
    public async Task It_writes_the_sample_through_its_whole_lifecycle_and_changes_no_event()
    {
        var sample = SampleEvents().ToList();
        Assert.NotEmpty(sample);
        var before = sample.Select(AgentEventJson.ToJson).ToList();
        var sink = Factory.Create(Config(), new ConformanceContext());

        await Bounded("StartAsync", async () => await sink.StartAsync(CancellationToken.None));
        await Bounded("Write", () =>
        {
            foreach (var evt in sample)
            {
                sink.Write(Shared(evt));
            }
            return Task.CompletedTask;
        });
        await Bounded("FlushAsync", async () => await sink.FlushAsync(CancellationToken.None));
        await Bounded("StopAsync", async () => await sink.StopAsync(CancellationToken.None));
        await Bounded("a second StopAsync", async () => await sink.StopAsync(CancellationToken.None));
        await DisposeTwiceAsync(sink);

        Assert.Equal(before, sample.Select(AgentEventJson.ToJson).ToList());
        await AssertWrittenAsync(Workspace, sample.Count, "after the stop");
    }

    /// <summary>
    /// What was written is out after <see cref="ISink.FlushAsync"/> (or within <see cref="OutputLag"/>), before any stop:
    /// the host flushes whenever the queue runs dry, and a user reading the output meanwhile sees it.
    /// </summary>
    [Fact]
    public async Task What_was_written_is_out_after_a_flush()
    {
        var sample = SampleEvents().ToList();
        var sink = Factory.Create(Config(), new ConformanceContext());
        await sink.StartAsync(CancellationToken.None);
        try
        {
            foreach (var evt in sample)
            {
                sink.Write(Shared(evt));
            }
            await Bounded("FlushAsync", async () => await sink.FlushAsync(CancellationToken.None));

            await AssertWrittenAsync(Workspace, sample.Count, "after a flush, before the stop", OutputLag);
        }
        finally
        {
            await sink.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>A flush with nothing written, and another one right after, are harmless.</summary>
    [Fact]
    public async Task A_flush_with_nothing_written_is_harmless()
    {
        var sink = Factory.Create(Config(), new ConformanceContext());
        await Bounded("StartAsync", async () => await sink.StartAsync(CancellationToken.None));

        await Bounded("FlushAsync with nothing written", async () => await sink.FlushAsync(CancellationToken.None));
        await Bounded("a second FlushAsync", async () => await sink.FlushAsync(CancellationToken.None));
        await Bounded("StopAsync", async () => await sink.StopAsync(CancellationToken.None));

        await AssertWrittenAsync(Workspace, 0, "with nothing written");
    }

    /// <summary>
    /// A stop lets go of what the start took: a fresh instance of the same configuration, made by the same factory with
    /// the same context, starts after it and writes, as when the host replaces a sink that failed.
    /// </summary>
    [Fact]
    public async Task A_fresh_instance_of_the_same_configuration_starts_after_one_stopped()
    {
        var config = Config();
        var context = new ConformanceContext();
        var sample = SampleEvents().ToList();
        var first = Factory.Create(config, context);
        await first.StartAsync(CancellationToken.None);
        foreach (var evt in sample)
        {
            first.Write(Shared(evt));
        }
        await first.FlushAsync(CancellationToken.None);
        await first.StopAsync(CancellationToken.None);

        var second = Factory.Create(config, context);
        await Bounded("StartAsync of a fresh instance", async () => await second.StartAsync(CancellationToken.None));
        foreach (var evt in SampleEvents())
        {
            second.Write(Shared(evt));
        }
        await second.FlushAsync(CancellationToken.None);
        await Bounded("StopAsync of the fresh instance", async () => await second.StopAsync(CancellationToken.None));

        if (await CountWrittenAsync(Workspace) is { } count)
        {
            Assert.True(count >= sample.Count, $"after a restart the output holds {count} events, fewer than the {sample.Count} written since");
        }
    }

    /// <summary>Two instances with their own outputs, written event by event in turn, share nothing: each holds exactly its own events.</summary>
    [Fact]
    public async Task Two_instances_share_no_state()
    {
        var one = Directory.CreateDirectory(Path.Combine(Workspace, "one")).FullName;
        var two = Directory.CreateDirectory(Path.Combine(Workspace, "two")).FullName;
        var first = Factory.Create(ConfigIn(one), new ConformanceContext());
        var second = Factory.Create(ConfigIn(two), new ConformanceContext());
        await first.StartAsync(CancellationToken.None);
        await second.StartAsync(CancellationToken.None);

        var sample = SampleEvents().ToList();
        foreach (var evt in sample)
        {
            first.Write(Shared(evt));
        }
        foreach (var evt in sample.Take(sample.Count / 2))
        {
            second.Write(Shared(evt));
        }
        await first.FlushAsync(CancellationToken.None);
        await second.FlushAsync(CancellationToken.None);
        await Bounded("StopAsync", async () => await first.StopAsync(CancellationToken.None));
        await Bounded("StopAsync", async () => await second.StopAsync(CancellationToken.None));

        await AssertWrittenAsync(one, sample.Count, "of the first instance");
        await AssertWrittenAsync(two, sample.Count / 2, "of the second instance");
    }

    /// <summary>
    /// Odd events (a payload of the wrong kind, no fields, fields of the wrong type) are written or refused with an
    /// exception the host contains: every call returns, a failed instance still flushes and stops, and a fresh instance
    /// writes the sample afterwards.
    /// </summary>
    [Fact]
    public async Task Odd_events_are_written_or_refused_with_an_exception_the_host_can_contain()
    {
        var odd = Directory.CreateDirectory(Path.Combine(Workspace, "odd")).FullName;
        var config = ConfigIn(odd);
        var context = new ConformanceContext();
        var sink = Factory.Create(config, context);
        await sink.StartAsync(CancellationToken.None);
        await Bounded("writing odd events", async () =>
        {
            foreach (var evt in ConformanceEvents.Odd(SampleEvents()))
            {
                try
                {
                    sink.Write(Shared(evt));
                }
                catch (Exception)
                {
                    await StopQuietlyAsync(sink);
                    sink = Factory.Create(config, context);
                    await sink.StartAsync(CancellationToken.None);
                }
            }
            await StopQuietlyAsync(sink);
        });

        var clean = Directory.CreateDirectory(Path.Combine(Workspace, "clean")).FullName;
        var fresh = Factory.Create(ConfigIn(clean), new ConformanceContext());
        await fresh.StartAsync(CancellationToken.None);
        var sample = SampleEvents().ToList();
        foreach (var evt in sample)
        {
            fresh.Write(Shared(evt));
        }
        await fresh.FlushAsync(CancellationToken.None);
        await fresh.StopAsync(CancellationToken.None);
        await AssertWrittenAsync(clean, sample.Count, "of a fresh instance after odd events");
    }

    /// <summary>What the host does with a failed instance: a last flush and a stop, each allowed to throw.</summary>
    /// <summary>The event as the host hands it over: marked shared (a change through any reference throws), as a read-only view.</summary>
    private static ReadOnlyEvent Shared(AgentEvent evt)
    {
        evt.MarkShared(readers: 2);
        return evt.AsReadOnly();
    }

    private static async Task StopQuietlyAsync(ISink sink)
    {
        try
        {
            await sink.FlushAsync(CancellationToken.None);
        }
        catch (Exception)
        {
        }
        try
        {
            await sink.StopAsync(CancellationToken.None);
        }
        catch (Exception)
        {
        }
    }

    private async Task AssertWrittenAsync(string folder, long expected, string when, TimeSpan lag = default)
    {
        var deadline = DateTime.UtcNow + lag;
        while (await CountWrittenAsync(folder) is { } count)
        {
            if (count == expected)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the output holds {count} events {when}; {expected} were written"
                + (lag > TimeSpan.Zero ? $" (waited {lag.TotalMilliseconds} ms)" : ""));
            await Task.Delay(20);
        }
    }

    private void AssertUntouched(string what)
    {
        var entries = Directory.EnumerateFileSystemEntries(Workspace, "*", SearchOption.AllDirectories).ToList();
        Assert.True(entries.Count == 0, $"{what} created {string.Join(", ", entries.Select(e => Path.GetRelativePath(Workspace, e)))}");
    }

    private static async Task DisposeTwiceAsync(ISink sink)
    {
        for (var i = 0; i < 2; i++)
        {
            if (sink is IAsyncDisposable asyncDisposable)
            {
                await Bounded("DisposeAsync after the stop", async () => await asyncDisposable.DisposeAsync());
            }
            else if (sink is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }
}
