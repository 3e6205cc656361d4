namespace AgentSight.Top.Model;

/// <summary>What one row of the table stands for.</summary>
public enum TopGrouping
{
    /// <summary>One row per process.</summary>
    Processes,

    /// <summary>One row per agent: a process the recording saw start without a traced parent, with all its descendants summed.</summary>
    Agents,
}
