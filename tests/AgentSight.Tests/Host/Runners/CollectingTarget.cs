using AgentSight.Contracts;
using AgentSight.Host.Pipeline;

namespace AgentSight.Tests.Runners;

/// <summary>The pipeline's first stage for runner tests: keeps every event handed to it, in order.</summary>
internal sealed class CollectingTarget : IStageTarget
{
    private readonly List<AgentEvent> _events = [];

    /// <summary>Called after each event is kept, with how many there are now (e.g. to cancel a run midway).</summary>
    public Action<int>? AfterWrite { get; init; }

    public bool Completed { get; private set; }

    public IReadOnlyList<AgentEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_events)
            {
                return _events.Count;
            }
        }
    }

    public ValueTask WriteAsync(AgentEvent evt)
    {
        int count;
        lock (_events)
        {
            _events.Add(evt);
            count = _events.Count;
        }
        AfterWrite?.Invoke(count);
        return ValueTask.CompletedTask;
    }

    public void Complete() => Completed = true;

    /// <summary>Waits (in real time) until at least <paramref name="count"/> events have arrived.</summary>
    public async Task WaitForCountAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"expected {count} events, got {Count}");
            }
            await Task.Delay(5);
        }
    }
}
