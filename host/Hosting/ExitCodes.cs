namespace AgentSight.Host.Hosting;

/// <summary>The process exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Done (a first Ctrl+C that drained cleanly counts as done).</summary>
    public const int Success = 0;

    /// <summary>
    /// A run failed: a source failed, a sink could not open its output or was taken out (its events were not
    /// written), or a shutdown did not finish within its bound.
    /// </summary>
    public const int Failure = 1;

    /// <summary>Wrong arguments or a wrong manifest: nothing was started.</summary>
    public const int Usage = 2;

    /// <summary>A second Ctrl+C: quit without draining.</summary>
    public const int Interrupted = 130;

    /// <summary>A bug in AgentSight itself.</summary>
    public const int InternalError = 70;
}
