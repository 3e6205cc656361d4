namespace AgentSight.Contracts;

/// <summary>A monotonically increasing count, safe to read from any thread.</summary>
public sealed class Counter
{
    private long _value;

    /// <summary>Creates a counter.</summary>
    public Counter(string name) => Name = name;

    /// <summary>The counter's name, e.g. <c>streams_evicted</c>.</summary>
    public string Name { get; }

    /// <summary>The current value.</summary>
    public long Value => Volatile.Read(ref _value);

    /// <summary>Adds <paramref name="amount"/> (default 1).</summary>
    public void Add(long amount = 1) => Interlocked.Add(ref _value, amount);
}
