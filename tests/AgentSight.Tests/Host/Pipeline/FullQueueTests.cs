using System.Diagnostics;
using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Support.PipelineHarness;

namespace AgentSight.Tests.Pipeline;

/// <summary>
/// A full queue under the block policy frees one place at a time. A writer that went on at once would be woken, and wake
/// the reader, for every event while the reader is the slower of the two: in a burst of file opens that cost the host
/// more than the events themselves, and the kernel ring overflowed. A writer that had to wait lets the reader take half
/// the queue before it writes again.
/// </summary>
public sealed class FullQueueTests
{
    private const int Capacity = 8;

    [Fact]
    public async Task A_writer_that_waited_for_a_full_queue_goes_on_once_half_of_it_is_read()
    {
        var queue = NewQueue(Backpressure.Block);
        for (var i = 0; i < Capacity; i++)
        {
            Assert.True(WritesAtOnce(queue, Numbered(i, Some.Epoch + i)));
        }

        var blocked = queue.WriteAsync(Numbered(Capacity, Some.Epoch + Capacity)).AsTask();
        Assert.False(blocked.IsCompleted);
        Assert.True(queue.Reader.TryRead(out _));

        // The waiting event goes in as soon as there is room, but its writer stays away while the queue is more than half full.
        await WaitUntilAsync(() => queue.Count == Capacity);
        await Task.Delay(50);
        Assert.False(blocked.IsCompleted, "the writer went on with the queue still full");
        for (var read = 0; read < Capacity / 2 - 1; read++)
        {
            Assert.True(queue.Reader.TryRead(out _));
            await Task.Delay(5);
            Assert.False(blocked.IsCompleted, $"the writer went on with {queue.Count} events waiting");
        }

        Assert.True(queue.Reader.TryRead(out _));
        await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Capacity / 2, queue.Count);
        var order = new List<long>();
        while (queue.Reader.TryRead(out var evt))
        {
            order.Add(evt.Timestamp - Some.Epoch);
        }
        Assert.Equal([5, 6, 7, 8], order);
    }

    [Theory]
    [InlineData((int)Backpressure.DropOldest)]
    [InlineData((int)Backpressure.DropNewest)]
    public void A_queue_that_drops_never_makes_its_writer_wait(int policy)
    {
        var queue = NewQueue((Backpressure)policy);
        for (var i = 0; i < Capacity * 3; i++)
        {
            Assert.True(WritesAtOnce(queue, Numbered(i, Some.Epoch + i)));
        }
        Assert.Equal(Capacity, queue.Count);
    }

    private static bool WritesAtOnce(StageQueue queue, AgentEvent evt)
    {
        var write = queue.WriteAsync(evt);
        if (!write.IsCompletedSuccessfully)
        {
            return false;
        }
        write.GetAwaiter().GetResult();
        return true;
    }

    private static StageQueue NewQueue(Backpressure policy) =>
        new(Capacity, policy, new StageMetrics(new StageListing("sink", "test", 1, PluginKind.Sink, Enabled: true), Capacity, policy));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "timed out");
            await Task.Delay(1);
        }
    }
}
