using AgentSight.Top.Model;

namespace AgentSight.Top.View;

/// <summary>How <c>top</c> runs: what the header says, how often it refreshes, and whether it shows one frame only.</summary>
public sealed class TopOptions
{
    /// <summary>"attached" or "own capture".</summary>
    public required string Mode { get; init; }

    /// <summary>What is watched: the recording's address, or what the own capture traces and where its session goes.</summary>
    public required string Watching { get; init; }

    /// <summary>How often the recording is read (default 1 s).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Print one frame, once the recording could be read, and end (scripts, output that is not a terminal).</summary>
    public bool Once { get; init; }

    /// <summary>An own capture: a line saying it has ended (and where its session is) once it has, else null.</summary>
    public Func<string?>? Ended { get; init; }

    /// <summary>The first view (grouping, sort, filter), from the command line.</summary>
    public TopViewState View { get; init; } = new();

    /// <summary>The terminal's abilities; detected when null.</summary>
    public TerminalProfile? Profile { get; init; }
}
