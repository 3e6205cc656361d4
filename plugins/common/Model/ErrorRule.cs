namespace AgentSight.Plugins.Common.Model;

/// <summary>
/// What counts as an error, in one place: the web UI's Overview, <c>agentsight report</c> (text and JSON) and the
/// session store all read events through this model, so the terminal and the browser give the same counts.
/// </summary>
/// <remarks>
/// Errors: a refused open (<c>EACCES</c>, <c>EPERM</c>, anything but a look-up miss), an open for writing or creating
/// that failed (whatever the errno: the program meant to write and could not), a non-zero exit or a death by signal,
/// an HTTP status of 400 or more, and an LLM call whose response carried an error. Not errors: an open for reading
/// that failed with <c>ENOENT</c> or <c>ENOTDIR</c>, which is how programs look for files that may not be there; these
/// are counted as look-ups that missed (docs/WEB-UI.md). The same holds for a <c>connect()</c> to a Unix socket that is
/// not there (<c>ENOENT</c>): glibc looks for nscd that way in every program that resolves a name; any other failed
/// connect is an error.
/// </remarks>
public static class ErrorRule
{
    private const long Enoent = 2;
    private const long Enotdir = 20;

    /// <summary>How an open ended: opened, a look-up that missed, or an error.</summary>
    public static FileOpenOutcome Of(FileOpen open)
    {
        if (open.Error is null && open.Errno is null && open.Fd is not < 0)
        {
            return FileOpenOutcome.Opened;
        }
        // Unknown flags (recordings of the original tool) read as a look-up: its process program recorded reads.
        if (open.Writes == true)
        {
            return FileOpenOutcome.Error;
        }
        var lookUpMiss = open.Errno is { } errno
            ? errno is Enoent or Enotdir
            : open.Error is "ENOENT" or "ENOTDIR";
        return lookUpMiss ? FileOpenOutcome.Miss : FileOpenOutcome.Error;
    }

    /// <summary>A failed connect that is not a look-up of a local socket that is not there.</summary>
    public static bool IsError(NetworkConnection connection) => connection.Failed && !IsMiss(connection);

    /// <summary>A connect to a Unix socket that does not exist: a look-up of a local service, not a failure.</summary>
    public static bool IsMiss(NetworkConnection connection) =>
        connection.Failed && connection.Family == "unix" && connection.Error == "ENOENT";

    /// <summary>A process that exited with a non-zero status or was killed by a signal.</summary>
    public static bool IsError(ProcessInstance process) => process.ExitCode is not null and not 0 || process.Signal is not null;

    /// <summary>An exchange answered with a 4xx or 5xx status.</summary>
    public static bool IsError(HttpExchange exchange) => exchange.Status >= 400;

    /// <summary>A call to a model whose response was an error: an error body, an in-stream error, or a 4xx/5xx status.</summary>
    public static bool IsError(LlmCall call) => call.ErrorType is not null || call.StatusCode >= 400;
}
