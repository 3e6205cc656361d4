using System.Collections.Concurrent;
using System.Diagnostics;
using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>The live counters of one stage.</summary>
/// <remarks>
/// In, out, failed, restarts and busy time are written only by the stage's own task, so plain stores suffice and
/// readers use volatile reads; drops come from the writers' side and use interlocked adds.
/// </remarks>
internal sealed class StageMetrics
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private long _in;
    private long _out;
    private long _dropped;
    private long _failed;
    private int _restarts;
    private long _busyTicks;
    private int _highWater;
    private int _state;
    private int _call;

    public StageMetrics(StageListing listing, int capacity, Backpressure backpressure)
    {
        Listing = listing;
        Capacity = capacity;
        Backpressure = backpressure;
        _state = (int)(listing.Enabled ? StageState.Running : StageState.Disabled);
    }

    public StageListing Listing { get; }

    /// <summary>The bound of the stage's own queue; 0 for an analyzer that shares its chain's queue.</summary>
    public int Capacity { get; private set; }

    public Backpressure Backpressure { get; }

    /// <summary>Reads the queue's depth; set when the queue exists.</summary>
    public StageQueue? Queue { get; set; }

    public long In => Volatile.Read(ref _in);

    public long Out => Volatile.Read(ref _out);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Failed => Volatile.Read(ref _failed);

    public int Restarts => Volatile.Read(ref _restarts);

    public StageState State => (StageState)Volatile.Read(ref _state);

    /// <summary>The plugin method the stage's task is inside now (read from other threads when a shutdown is stuck).</summary>
    public PluginCall Call => (PluginCall)Volatile.Read(ref _call);

    /// <summary>Why the stage was taken out of the pipeline, once it was.</summary>
    public string? RemovalReason { get; private set; }

    public void AddIn() => _in++;

    public void AddOut() => _out++;

    public void AddOut(int count) => _out += count;

    /// <summary>The stage runs in a chain behind another stage and reads no queue of its own.</summary>
    public void ShareChainQueue()
    {
        Queue = null;
        Capacity = 0;
    }

    public void AddDropped() => Interlocked.Increment(ref _dropped);

    public void AddFailed() => _failed++;

    public void AddRestart() => _restarts++;

    public void AddBusy(long stopwatchTicks) => _busyTicks += stopwatchTicks;

    public void SetState(StageState state) => Volatile.Write(ref _state, (int)state);

    /// <summary>Takes the stage out of the pipeline, saying why (for the run's end: a failed sink fails the run).</summary>
    public void Remove(string reason)
    {
        RemovalReason = reason;
        SetState(StageState.Removed);
    }

    /// <summary>The stage's task enters plugin code; one store, cheap enough for every event.</summary>
    public void Enter(PluginCall call) => Volatile.Write(ref _call, (int)call);

    /// <summary>The stage's task is back in host code.</summary>
    public void Leave() => Volatile.Write(ref _call, (int)PluginCall.None);

    public Counter Counter(string name) => _counters.GetOrAdd(name, static n => new Counter(n));

    /// <summary>A plugin counter's value, or null when the plugin never asked for it (reading does not create it).</summary>
    public long? CounterValue(string name) => _counters.TryGetValue(name, out var counter) ? counter.Value : null;

    /// <summary>Samples the queue depth to keep its high-water mark; returns the depth.</summary>
    public int SampleDepth()
    {
        var depth = Queue?.Count ?? 0;
        if (depth > Volatile.Read(ref _highWater))
        {
            Volatile.Write(ref _highWater, depth);
        }
        return depth;
    }

    /// <summary>The queue was found full (a writer waited, or an event was dropped): its high-water mark is its capacity.</summary>
    public void NoteFull(int capacity)
    {
        if (capacity > Volatile.Read(ref _highWater))
        {
            Volatile.Write(ref _highWater, capacity);
        }
    }

    public StageMetricsSnapshot Snapshot()
    {
        SampleDepth();
        return new StageMetricsSnapshot
        {
            Id = Listing.Id,
            Plugin = Listing.Plugin,
            Kind = Listing.Kind,
            Position = Listing.Position,
            State = State,
            In = In,
            Out = Out,
            Dropped = Dropped,
            Failed = Failed,
            Restarts = Restarts,
            QueueDepth = Queue?.Count ?? 0,
            QueueHighWater = Volatile.Read(ref _highWater),
            QueueCapacity = Capacity,
            Backpressure = BackpressureNames.Format(Backpressure),
            TimeSpent = Stopwatch.GetElapsedTime(0, Volatile.Read(ref _busyTicks)),
            Counters = _counters.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToDictionary(c => c.Name, c => c.Value),
        };
    }
}
