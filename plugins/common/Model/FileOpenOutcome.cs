namespace AgentSight.Plugins.Common.Model;

/// <summary>How an open ended, as every count of the session reads it (see <see cref="ErrorRule"/>).</summary>
public enum FileOpenOutcome
{
    /// <summary>It returned a file descriptor.</summary>
    Opened,

    /// <summary>
    /// A look-up that found nothing: an open for reading that failed with <c>ENOENT</c> or <c>ENOTDIR</c>, as programs
    /// do all the time to probe for a file (Python's <c>pyvenv.cfg</c>, locale files, a config in several folders).
    /// </summary>
    Miss,

    /// <summary>A real failure: refused (<c>EACCES</c>, <c>EPERM</c>…), or an open for writing or creating that failed.</summary>
    Error,
}
