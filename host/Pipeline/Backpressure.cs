namespace AgentSight.Host.Pipeline;

/// <summary>What a stage's queue does when it is full.</summary>
internal enum Backpressure
{
    /// <summary>The writer waits for room: nothing is lost, and a slow stage slows everything before it.</summary>
    Block,

    /// <summary>The oldest queued event is dropped to make room (counted).</summary>
    DropOldest,

    /// <summary>The arriving event is dropped; what is queued is kept (counted).</summary>
    DropNewest,
}
