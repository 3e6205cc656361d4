using System.Collections.Concurrent;
using System.Diagnostics;
using AgentSight.Contracts;
using AgentSight.Host.Runners;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Support.PipelineHarness;

namespace AgentSight.Tests.Pipeline;

/// <summary>
/// In a live session events trickle in one at a time and a sink's queue runs dry after each: the host flushes a sink at
/// most every 5 ms, so that the file sink does not make a write system call per event, and still writes everything.
/// </summary>
public sealed class SinkFlushGapTests
{
    [Fact]
    public async Task Trickling_events_are_all_written_and_two_flushes_are_never_closer_than_the_gap()
    {
        var sink = new FlushTimingSinkFactory();
        using var pipeline = new PipelineHarness().Add(sink, "sink").Build();
        await pipeline.StartAsync(CancellationToken.None);
        var metrics = new RunnerMetrics("test");
        pipeline.Metrics.AddSource(metrics);

        for (var i = 0; i < 60; i++)
        {
            await pipeline.Input.WriteAsync(Numbered(i, Some.Epoch + i), metrics);
            await Task.Delay(1);
        }
        // The last event is written out while the run goes on, not only at the end.
        var deadline = Stopwatch.StartNew();
        while (sink.WrittenAtFlush.LastOrDefault() < 60 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(5);
        }
        await pipeline.CompleteAsync();

        Assert.Equal(Enumerable.Range(0, 60), sink.Received.Select(Seq));
        Assert.Equal(60, sink.WrittenAtFlush.First(written => written == 60));
        var flushes = sink.FlushedAt.ToArray();
        Assert.True(flushes.Length >= 2, $"{flushes.Length} flushes");
        // Every flush while events came; the one at the end of the run may follow the previous one at once.
        var gaps = flushes.Zip(flushes.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b)).SkipLast(1).ToArray();
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromMilliseconds(4.5), $"two flushes {gap.TotalMilliseconds:F2} ms apart"));
    }

    /// <summary>A sink that notes when each flush came and how many events it had been given by then.</summary>
    private sealed class FlushTimingSinkFactory : SinkFactory<NoConfig>
    {
        public ConcurrentQueue<ReadOnlyEvent> Received { get; } = new();

        public ConcurrentQueue<long> FlushedAt { get; } = new();

        public ConcurrentQueue<int> WrittenAtFlush { get; } = new();

        public override string Description => "flush timing";

        protected override ISink Create(NoConfig config, IStageContext context) => new Sink(this);

        private sealed class Sink(FlushTimingSinkFactory owner) : ISink
        {
            public ValueTask StartAsync(CancellationToken cancellationToken) => default;

            public void Write(ReadOnlyEvent evt) => owner.Received.Enqueue(evt);

            public ValueTask FlushAsync(CancellationToken cancellationToken)
            {
                owner.FlushedAt.Enqueue(Stopwatch.GetTimestamp());
                owner.WrittenAtFlush.Enqueue(owner.Received.Count);
                return default;
            }

            public ValueTask StopAsync(CancellationToken cancellationToken) => default;
        }
    }
}
