using System.Globalization;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Otlp;

/// <summary>
/// The container of each process events name: read once from <c>/proc/PID/cgroup</c> while the process lives; a
/// process already gone takes its parent's (learned from <c>process</c> events' <c>ppid</c>), since a child starts
/// in its parent's cgroup. A process known to nothing is in no container. A replay reads nothing: its pids are
/// another moment's (or machine's), and this machine's processes of the same number are others.
/// </summary>
/// <param name="live">The events come from a capture running now (the pipeline's clock is not event time).</param>
/// <param name="procRoot">Where <c>/proc</c> is (tests give a folder of their own).</param>
internal sealed class ContainerLookup(bool live, string procRoot = "/proc")
{
    /// <summary>Most processes remembered; past it the table starts again (a long capture sees many short processes).</summary>
    private const int MaxProcesses = 65_536;

    private readonly Dictionary<int, ContainerIdentity?> _byPid = [];
    private readonly Dictionary<int, int> _parents = [];

    /// <summary>Notes what an event tells about its process (its parent), and reads its cgroup if it was not read yet.</summary>
    public void See(AgentEvent evt)
    {
        if (evt.Pid <= 0)
        {
            return;
        }
        if (_byPid.Count > MaxProcesses)
        {
            _byPid.Clear();
            _parents.Clear();
        }
        if (evt.Source == EventSources.Process && SpanEventReader.Number(evt.Fields?["ppid"]) is { } parent && parent is > 0 and <= int.MaxValue)
        {
            _parents[evt.Pid] = (int)parent;
        }
        _ = Of(evt.Pid);
    }

    /// <summary>The container of <paramref name="pid"/>, or null when it is in none (or nothing is known).</summary>
    public ContainerIdentity? Of(int pid)
    {
        for (var depth = 0; live && pid > 0 && depth < 64; depth++)
        {
            if (_byPid.TryGetValue(pid, out var known))
            {
                return known;
            }
            try
            {
                var identity = ContainerIdentity.FromCgroup(File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "cgroup")));
                _byPid[pid] = identity;
                return identity;
            }
            catch (IOException)
            {
                // Gone (or never here: a replay of another machine's recording): its parent's cgroup is the best we know.
            }
            catch (UnauthorizedAccessException)
            {
            }
            if (!_parents.TryGetValue(pid, out pid))
            {
                break;
            }
        }
        return null;
    }
}
