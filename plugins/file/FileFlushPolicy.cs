namespace AgentSight.Plugins.File;

/// <summary>When the file sink hands buffered lines to the operating system (manifest key <c>flush</c>).</summary>
public enum FileFlushPolicy
{
    /// <summary>Whenever the sink's queue runs empty (the host flushes at most every 5 ms), so lines are written out as soon as the sink has caught up (<c>drain</c>).</summary>
    Drain,

    /// <summary>After every event: the slowest, for a reader that must see each event at once (<c>every_event</c>).</summary>
    EveryEvent,

    /// <summary>At most once per <c>flush_interval_ms</c>, and at stop (<c>interval</c>).</summary>
    Interval,
}
