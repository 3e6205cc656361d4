namespace AgentSight.Plugins.Trace;

/// <summary>One process instance as the process events told it: its parent, its command, what it opened and reached.</summary>
internal sealed class ProcessNode
{
    public required int Pid { get; init; }

    public int? Ppid { get; set; }

    /// <summary>Fork, else exec, else first event.</summary>
    public required long StartNs { get; init; }

    public long? EndNs { get; set; }

    public int? ExitCode { get; set; }

    public int? Signal { get; set; }

    public string Comm { get; set; } = "";

    public string? Executable { get; set; }

    /// <summary>The container it runs in (<c>container.id</c>), as its exec, fork or first event said; null: in none.</summary>
    public string? ContainerId { get; set; }

    public List<string>? Argv { get; set; }

    /// <summary>The tool call this process ran for (set when the tool's result went back; inherited by its children).</summary>
    public ToolCall? Tool { get; set; }

    /// <summary>Under the run directly (started outside any tool's window), once the run decided it.</summary>
    public bool UnderRun { get; set; }

    /// <summary>Its span was written (processes are written once).</summary>
    public bool Emitted { get; set; }

    /// <summary>The opens it made that succeeded, in order (bounded: see <c>max_files_per_process</c>).</summary>
    public List<FileAccess> Files { get; } = [];

    /// <summary>Hosts and addresses it connected to, in the order first seen.</summary>
    public List<string> Peers { get; } = [];

    public string CommandLine => Argv is { Count: > 0 } argv ? string.Join(' ', argv) : Comm;

    /// <summary>What a span calls it: the executable's file name, else the command name.</summary>
    public string ShortName => Argv is { Count: > 0 } argv && Path.GetFileName(argv[0]) is { Length: > 0 } name ? name : Comm;
}
