namespace AgentSight.Contracts;

/// <summary>What a plugin is.</summary>
public enum PluginKind
{
    /// <summary>A stage of the chain (<see cref="IAnalyzer"/>).</summary>
    Analyzer,

    /// <summary>A consumer at the end of the chain (<see cref="ISink"/>).</summary>
    Sink,
}
