using AgentSight.Contracts;

namespace AgentSight.Plugins.Common.Model;

/// <summary>Follows processes through the session's events: which instance each event belongs to, and its life.</summary>
/// <remarks>
/// Process events (exec, fork, exit) shape the instances; every other event only attaches to the current instance of
/// its pid, creating one when the pid was not seen before (an agent captured only through its TLS traffic still
/// shows in the tree). Not thread-safe: one caller at a time.
/// </remarks>
public sealed class ProcessTracker
{
    private readonly Dictionary<int, ProcessInstance> _current = [];
    private readonly List<ProcessInstance> _all = [];

    public IReadOnlyList<ProcessInstance> All => _all;

    /// <summary>The instance an event belongs to (null for pid 0, which is no process), updated by it.</summary>
    /// <param name="evt">The event.</param>
    /// <param name="kind">The process event's kind, <see cref="ProcessEventKind.Other"/> for other sources.</param>
    /// <param name="created">True when the event started a new instance.</param>
    public ProcessInstance? Apply(ReadOnlyEvent evt, ProcessEventKind kind, out bool created)
    {
        created = false;
        if (evt.Pid <= 0)
        {
            return null;
        }
        ReadOnlyJson? fields = evt.Source == EventSources.Process ? evt.Fields : null;
        var ppid = (int?)JsonRead.Long(fields, "ppid");
        _current.TryGetValue(evt.Pid, out var instance);
        var startsNew = instance is null
            || (instance.Exited && kind is ProcessEventKind.Fork or ProcessEventKind.Exec)
            // A fork names a new process: an earlier instance with this pid that was never seen exiting is gone.
            || (kind == ProcessEventKind.Fork && instance.StartKnown);
        if (startsNew)
        {
            instance = new ProcessInstance { Id = _all.Count + 1, Pid = evt.Pid, StartNs = evt.Timestamp, Comm = evt.Comm };
            _all.Add(instance);
            _current[evt.Pid] = instance;
            created = true;
        }
        instance!.LastSeenNs = Math.Max(instance.LastSeenNs, evt.Timestamp);
        if (instance.Comm.Length == 0 && evt.Comm.Length > 0)
        {
            instance.Comm = evt.Comm;
        }
        if (ppid is > 0 && instance.Ppid != ppid)
        {
            instance.Ppid = ppid;
            instance.Parent = _current.TryGetValue(ppid.Value, out var parent) && parent != instance ? parent : null;
        }
        // The capture names the container at exec, fork and a process's first sighting (docs/EVENTS.md).
        if (JsonRead.Obj(fields, "container") is { } container && JsonRead.Str(container, "id") is { Length: > 0 } containerId)
        {
            instance.ContainerId = containerId;
            instance.ContainerRuntime = JsonRead.Str(container, "runtime");
            instance.PodUid = JsonRead.Str(container, "pod_uid");
        }
        else if (kind is ProcessEventKind.Exec or ProcessEventKind.Fork)
        {
            instance.ContainerId = instance.ContainerRuntime = instance.PodUid = null;
        }
        switch (kind)
        {
            case ProcessEventKind.Fork:
                instance.StartNs = evt.Timestamp;
                instance.StartKnown = true;
                break;
            case ProcessEventKind.Exec:
                Exec(instance, evt, fields);
                break;
            case ProcessEventKind.Exit:
                instance.EndNs = evt.Timestamp;
                instance.ExitCode = (int?)JsonRead.Long(fields, "exit_code");
                instance.Signal = (int?)JsonRead.Long(fields, "signal");
                instance.CoreDumped = JsonRead.Bool(fields, "core_dumped") ?? false;
                instance.DurationMs = JsonRead.Double(fields, "duration_ms");
                break;
        }
        return instance;
    }

    private static void Exec(ProcessInstance instance, ReadOnlyEvent evt, ReadOnlyJson? fields)
    {
        instance.ExecNs = evt.Timestamp;
        if (!instance.StartKnown)
        {
            instance.StartNs = evt.Timestamp;
            instance.StartKnown = true;
        }
        // After exec the kernel's comm is the new program's name.
        if (evt.Comm.Length > 0)
        {
            instance.Comm = evt.Comm;
        }
        instance.Filename = JsonRead.Str(fields, "filename") ?? instance.Filename;
        if (JsonRead.Strings(fields, "argv") is { Count: > 0 } argv)
        {
            instance.Argv = argv;
        }
        else if (JsonRead.Str(fields, "full_command") is { Length: > 0 } full)
        {
            instance.Argv = [full];
        }
    }

    /// <summary>The kind of a <c>process</c> event; <see cref="ProcessEventKind.Other"/> for any other source.</summary>
    public static ProcessEventKind KindOf(ReadOnlyEvent evt) => evt.Source != EventSources.Process
        ? ProcessEventKind.Other
        : JsonRead.Str(evt.Fields, "event") switch
        {
            "EXEC" => ProcessEventKind.Exec,
            "FORK" => ProcessEventKind.Fork,
            "EXIT" => ProcessEventKind.Exit,
            "FILE_OPEN" => ProcessEventKind.FileOpen,
            _ => ProcessEventKind.Other,
        };
}
