namespace AgentSight.Contracts;

/// <summary>What a sink does with an output file that already holds something (contracts 1.4).</summary>
public enum ExistingOutput
{
    /// <summary>A new run is added after what is there.</summary>
    Append,

    /// <summary>What is there is replaced.</summary>
    Replace,

    /// <summary>The sink will not start on it.</summary>
    Refuse,
}
