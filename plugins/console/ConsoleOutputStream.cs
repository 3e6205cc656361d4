namespace AgentSight.Plugins.Console;

/// <summary>Which standard stream the console sink writes to (manifest key <c>stream</c>).</summary>
public enum ConsoleOutputStream
{
    /// <summary>Standard output (<c>stdout</c>), which then carries nothing but events.</summary>
    Stdout,

    /// <summary>Standard error (<c>stderr</c>), shared with the host's log messages.</summary>
    Stderr,
}
