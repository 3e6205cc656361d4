namespace AgentSight.Plugins.Common.Model;

/// <summary>The <c>data.event</c> of a <c>process</c> event.</summary>
public enum ProcessEventKind
{
    /// <summary>Anything else (the original's <c>BASH_READLINE</c>, future kinds).</summary>
    Other,

    /// <summary><c>EXEC</c>: a new program image.</summary>
    Exec,

    /// <summary><c>FORK</c>: a new process (<c>pid</c>) of a parent (<c>ppid</c>).</summary>
    Fork,

    /// <summary><c>EXIT</c>: the process ended.</summary>
    Exit,

    /// <summary><c>FILE_OPEN</c>: an open or openat call.</summary>
    FileOpen,
}
