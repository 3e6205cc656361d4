namespace AgentSight.Contracts;

/// <summary>Where a stage is in its life.</summary>
public enum StageState
{
    /// <summary>In the manifest with <c>enabled: false</c>: not in the pipeline.</summary>
    Disabled,

    /// <summary>Receiving events.</summary>
    Running,

    /// <summary>Taken out of the pipeline after too many failures; events go around it.</summary>
    Removed,

    /// <summary>Drained and stopped at shutdown.</summary>
    Stopped,

    /// <summary>Enabled, but its configuration leaves nothing to do (<see cref="IAnalyzer.PassesEverything"/>): events go past it. Since 1.2.</summary>
    Bypassed,
}
