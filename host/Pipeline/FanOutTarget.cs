using System.Runtime.CompilerServices;
using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>The end of the chain: every sink gets every event, each through its own queue.</summary>
internal sealed class FanOutTarget(IReadOnlyList<StageQueue> sinks) : IStageTarget
{
    private readonly StageQueue[] _sinks = [.. sinks];

    public ValueTask WriteAsync(AgentEvent evt)
    {
        // From here on the event is read-only: sinks get a view, and a change through a kept reference throws.
        evt.MarkShared(readers: _sinks.Length);
        for (var i = 0; i < _sinks.Length; i++)
        {
            var write = _sinks[i].WriteAsync(evt);
            if (!write.IsCompletedSuccessfully)
            {
                return WriteRestAsync(write, evt, i);
            }
            write.GetAwaiter().GetResult();
        }
        return default;
    }

    public void Complete()
    {
        foreach (var sink in _sinks)
        {
            sink.Complete();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteRestAsync(ValueTask blocked, AgentEvent evt, int index)
    {
        await blocked;
        for (var i = index + 1; i < _sinks.Length; i++)
        {
            await _sinks[i].WriteAsync(evt);
        }
    }
}
