using System.Text.Json;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Otlp;

/// <summary>
/// The container of each process, from the <c>container</c> field the capture puts on <c>process</c> events (at exec,
/// fork and a process's first sighting; docs/EVENTS.md). A process no event placed takes its parent's (learned from
/// <c>ppid</c>), since a child starts in its parent's cgroup. Being read from events, a replay keeps the containers
/// of its recording.
/// </summary>
internal sealed class ContainerLookup
{
    /// <summary>Most processes remembered; past it the table starts again (a long capture sees many short processes).</summary>
    private const int MaxProcesses = 65_536;

    private readonly Dictionary<int, ContainerIdentity?> _byPid = [];
    private readonly Dictionary<int, int> _parents = [];

    /// <summary>Notes what a <c>process</c> event tells about its process: its parent, and its container when it says.</summary>
    public void See(ReadOnlyEvent evt)
    {
        if (evt.Pid <= 0 || evt.Source != EventSources.Process || !evt.HasFields)
        {
            return;
        }
        var fields = evt.Fields;
        if (_byPid.Count > MaxProcesses || _parents.Count > MaxProcesses)
        {
            _byPid.Clear();
            _parents.Clear();
        }
        if (SpanEventReader.Number(fields["ppid"]) is { } parent && parent is > 0 and <= int.MaxValue)
        {
            _parents[evt.Pid] = (int)parent;
        }
        var kind = fields["event"].GetString();
        if (ContainerIdentity.FromJson(fields["container"]) is { } container)
        {
            _byPid[evt.Pid] = container;
        }
        else if (kind is "EXEC" or "FORK")
        {
            // A start that names no container: this process is in none (its parent's may differ).
            _byPid[evt.Pid] = null;
        }
    }

    /// <summary>The container of <paramref name="pid"/>, or null when it is in none (or nothing is known).</summary>
    public ContainerIdentity? Of(int pid)
    {
        for (var depth = 0; pid > 0 && depth < 64; depth++)
        {
            if (_byPid.TryGetValue(pid, out var known))
            {
                return known;
            }
            if (!_parents.TryGetValue(pid, out pid))
            {
                break;
            }
        }
        return null;
    }
}
