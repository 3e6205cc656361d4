namespace AgentSight.Contracts;

/// <summary>Which way bytes went in a read or write system call (contracts 1.5).</summary>
public enum IoDirection
{
    /// <summary>The process read the bytes.</summary>
    Read,

    /// <summary>The process wrote the bytes.</summary>
    Write,
}
