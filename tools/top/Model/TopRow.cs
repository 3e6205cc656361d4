namespace AgentSight.Top.Model;

/// <summary>One row of the table: a process, or an agent with its descendants summed.</summary>
/// <param name="Key">Stable across refreshes (the process instance's id), so the selection follows the row when the order changes.</param>
/// <param name="Pid">The process id (an agent's: its root's).</param>
/// <param name="Name">The program's name.</param>
/// <param name="CommandLine">Its command line.</param>
/// <param name="State">run, or the exit code, or sigN.</param>
/// <param name="Processes">Processes in the row (1 for a process).</param>
/// <param name="Calls">LLM calls.</param>
/// <param name="Tokens">Input plus output tokens.</param>
/// <param name="CpuPercent">CPU now (percent of a core); null when unknown (exited, or not on this machine).</param>
/// <param name="RssBytes">Resident memory now; null when unknown.</param>
/// <param name="Execs">Processes started: a process's children, an agent's descendants.</param>
/// <param name="FilesWritten">Files opened for writing.</param>
/// <param name="Peers">Distinct hosts talked to.</param>
/// <param name="Failures">Failed opens, failed connects, bad exits.</param>
/// <param name="Lost">TLS connections whose plaintext no probe saw.</param>
/// <param name="SearchText">What the filter matches: pid, names and command lines, lower case.</param>
public sealed record TopRow(
    int Key,
    int Pid,
    string Name,
    string CommandLine,
    string State,
    int Processes,
    long Calls,
    long Tokens,
    double? CpuPercent,
    long? RssBytes,
    long Execs,
    long FilesWritten,
    long Peers,
    long Failures,
    long Lost,
    string SearchText);
