using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>A stage's bounded input queue, with its backpressure policy and drop counting.</summary>
/// <remarks>
/// In a drop mode a bounded channel still reports success on write, so drops are counted through the channel's
/// item-dropped callback, never inferred from write results.
/// </remarks>
internal sealed class StageQueue : IStageTarget
{
    private readonly Channel<AgentEvent> _channel;
    private readonly StageMetrics _metrics;

    public StageQueue(int capacity, Backpressure policy, StageMetrics metrics)
    {
        Capacity = capacity;
        _metrics = metrics;
        Blocks = policy == Backpressure.Block;
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = policy switch
            {
                Backpressure.DropOldest => BoundedChannelFullMode.DropOldest,
                Backpressure.DropNewest => BoundedChannelFullMode.DropWrite,
                _ => BoundedChannelFullMode.Wait,
            },
            SingleReader = true,
            SingleWriter = false,
            // Continuations run on the pool, never inline in the writer's call: a stage never runs another stage's code.
            AllowSynchronousContinuations = false,
        };
        _channel = policy == Backpressure.Block
            ? Channel.CreateBounded<AgentEvent>(options)
            : Channel.CreateBounded<AgentEvent>(options, _ =>
            {
                metrics.AddDropped();
                metrics.NoteFull(capacity);
            });
    }

    public int Capacity { get; }

    /// <summary>True under the block policy: a full queue makes writers wait, nothing is dropped.</summary>
    public bool Blocks { get; }

    public ChannelReader<AgentEvent> Reader => _channel.Reader;

    /// <summary>Events waiting now.</summary>
    public int Count => _channel.Reader.Count;

    public ValueTask WriteAsync(AgentEvent evt) =>
        _channel.Writer.TryWrite(evt) ? default : WriteWhenRoomAsync(evt);

    /// <summary>
    /// A full queue frees one place at a time: a writer that went on at once would be woken, and wake its reader, for
    /// every event while the reader is the slower of the two (2.8 thread switches per event measured in the process
    /// and file workload, where every queue filled; docs/PERFORMANCE.md, "Stop 31"). After a wait, the writer lets the
    /// reader take half the queue in one go, checking once a millisecond, before it writes again.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteWhenRoomAsync(AgentEvent evt)
    {
        _metrics.NoteFull(Capacity);
        await _channel.Writer.WriteAsync(evt);
        while (Count > Capacity / 2)
        {
            await Task.Delay(1);
        }
    }

    public void Complete() => _channel.Writer.TryComplete();
}
