namespace AgentSight.Top.Model;

/// <summary>One traced process as the recording reports it (the web API's <c>/api/processes</c> and network figures).</summary>
/// <param name="Id">The session's number for this process instance (a pid can name several over a session).</param>
/// <param name="Pid">The process id.</param>
/// <param name="ParentId">The parent instance's <see cref="Id"/>, when the parent was seen in the session.</param>
/// <param name="Comm">The kernel's name of the program.</param>
/// <param name="CommandLine">Its command line (or file, or name).</param>
/// <param name="StartNs">When it started (or was first seen), epoch nanoseconds.</param>
/// <param name="Exited">True once its exit was seen.</param>
/// <param name="ExitCode">Its exit code, when it exited.</param>
/// <param name="Signal">The signal that ended it, when one did.</param>
/// <param name="Calls">LLM calls it made.</param>
/// <param name="InputTokens">Input tokens of those calls.</param>
/// <param name="OutputTokens">Output tokens of those calls.</param>
/// <param name="Children">Processes it started (each fork or exec the session saw as a child).</param>
/// <param name="FilesWritten">Files it opened for writing.</param>
/// <param name="FailedOpens">File opens that failed.</param>
/// <param name="Hosts">The hosts it talked to (TLS server name, else address).</param>
/// <param name="FailedConnects">connect() calls that failed.</param>
/// <param name="UnseenTls">TLS connections whose plaintext no probe saw: a blind spot of this process.</param>
public sealed record ProcessSample(
    int Id,
    int Pid,
    int? ParentId,
    string Comm,
    string CommandLine,
    long StartNs,
    bool Exited,
    int? ExitCode,
    int? Signal,
    long Calls,
    long InputTokens,
    long OutputTokens,
    int Children,
    int FilesWritten,
    int FailedOpens,
    IReadOnlyList<string> Hosts,
    long FailedConnects,
    long UnseenTls)
{
    /// <summary>Ended badly: a non-zero exit code, or killed by a signal.</summary>
    public bool ExitedBadly => Exited && (ExitCode is not null and not 0 || Signal is not null and not 0);

    /// <summary>Failures the view counts for this process: failed opens, failed connects, and a bad exit.</summary>
    public long Failures => FailedOpens + FailedConnects + (ExitedBadly ? 1 : 0);
}
