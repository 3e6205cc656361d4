using System.Globalization;
using AgentSight.Contracts;

namespace AgentSight.Host.Capture;

/// <summary>
/// The container of each process the process events name, for their <c>container</c> field: read from
/// <c>/proc/PID/cgroup</c> at every exec and fork (a runtime moves a process into the container's cgroup before it
/// executes the container's program) and at the first event of a process seen otherwise (one followed from before the
/// capture). A process already gone when its event is decoded keeps what its fork said, or takes its parent's (read
/// from the parent while it lives, else as the parent's events said): a child starts in its parent's cgroup.
/// </summary>
/// <param name="procRoot">Where <c>/proc</c> is (tests give a folder of their own).</param>
internal sealed class ProcessContainers(string procRoot = "/proc")
{
    /// <summary>Most processes remembered; past it the table starts again (a long capture sees many short processes).</summary>
    private const int MaxProcesses = 65_536;

    private readonly Dictionary<int, ContainerIdentity?> _byPid = [];

    /// <summary>Processes whose cgroup could not be read (gone before their event was decoded, and their parent too): their events carry no container though they may have run in one.</summary>
    public Counter Unknown { get; init; } = new("container_unknown");

    /// <summary>
    /// Whether an event of <paramref name="pid"/> is to say the process's container: true at exec and fork
    /// (<paramref name="starts"/>) and at the first event of a process, with <paramref name="container"/> null when
    /// the process is in none.
    /// </summary>
    public bool Tell(int pid, int ppid, bool starts, out ContainerIdentity? container)
    {
        container = null;
        if (pid <= 0 || (!starts && _byPid.ContainsKey(pid)))
        {
            return false;
        }
        if (_byPid.Count >= MaxProcesses)
        {
            _byPid.Clear();
        }
        // Its own cgroup while it lives; else what its fork said; else its parent's, living or as its events said.
        if (TryRead(pid, out var own))
        {
            container = own;
        }
        else if (_byPid.TryGetValue(pid, out var earlier))
        {
            container = earlier;
        }
        else if (ppid > 0 && TryRead(ppid, out var living))
        {
            container = living;
        }
        else if (ppid > 0 && _byPid.TryGetValue(ppid, out var parent))
        {
            container = parent;
        }
        else
        {
            Unknown.Add();
        }
        _byPid[pid] = container;
        return true;
    }

    /// <summary>Reads the container of a living process (<paramref name="identity"/> null: in none); false when its cgroup cannot be read.</summary>
    private bool TryRead(int pid, out ContainerIdentity? identity)
    {
        var text = ProcFile.TryReadText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "cgroup"));
        identity = text is null ? null : ContainerIdentity.FromCgroup(text);
        return text is not null;
    }
}
