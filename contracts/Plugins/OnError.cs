namespace AgentSight.Contracts;

/// <summary>What becomes of the event an analyzer threw on.</summary>
public enum OnError
{
    /// <summary>The event goes on unchanged, so it is still recorded.</summary>
    Pass,

    /// <summary>The event is dropped (and counted as failed): for analyzers that must fail closed, such as redaction.</summary>
    Drop,
}
