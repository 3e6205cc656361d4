using AgentSight.Host.Capture;

namespace AgentSight.Host.Bpf;

/// <summary>An attached program (a probe on a function, a tracepoint); disposing it detaches the program.</summary>
internal sealed class BpfLink : IDisposable
{
    private readonly System.Runtime.InteropServices.SafeHandle _handle;

    /// <param name="handle">A libbpf <c>struct bpf_link*</c> (<see cref="BpfLinkHandle"/>) or a link's file descriptor.</param>
    public BpfLink(System.Runtime.InteropServices.SafeHandle handle, string description)
    {
        _handle = handle;
        Description = description;
    }

    /// <summary>What is attached where, for logs.</summary>
    public string Description { get; }

    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// Detaches many links at once. Removing a uprobe waits for a kernel grace period (about a tenth of a second
    /// measured here), one after another when done in a row: 150 probes took 14 s. Waits running side by side share
    /// their grace periods, so the links are detached from several threads at the same time.
    /// </summary>
    public static void DisposeAll(IReadOnlyCollection<BpfLink> links)
    {
        if (links.Count <= 1)
        {
            foreach (var link in links)
            {
                link.Dispose();
            }
            return;
        }
        var queue = new System.Collections.Concurrent.ConcurrentQueue<BpfLink>(links);
        var threads = Enumerable.Range(0, Math.Min(links.Count, MaxDetachThreads)).Select(_ => new Thread(() =>
        {
            while (queue.TryDequeue(out var link))
            {
                link.Dispose();
            }
        }, maxStackSize: 128 * 1024) { IsBackground = true, Name = "agentsight-detach" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
    }

    /// <summary>
    /// Detaches the links without waiting for the kernel: removing a probe waits for grace periods (measured here:
    /// about half a second for a recording's two dozen links on a quiet machine, seconds under load), which a user
    /// would otherwise wait for at the end of every <c>record</c>. Every link's descriptor is first inherited by one
    /// short-lived child process (<c>cat</c> reading a pipe, started with <c>posix_spawn</c>: a managed Process.Start
    /// costs tens of milliseconds each under load), then this process detaches its copies, which is quick while the
    /// child still holds the links, and closes the pipe: the child exits at once and the kernel releases the links, the
    /// probes first and their waits after. One child, not several: each start costs 10–15 ms of the run's end, and
    /// several only made the release in the background finish sooner (2.6 s after the run with eight, 3.8 s with one;
    /// docs/PERFORMANCE.md). The child used to be <c>sleep 1</c>: for that second every process using a probed
    /// library still trapped on our probes (uprobe_multi links fire until released), and a benchmark run right after a
    /// recording paid for them (docs/PERFORMANCE.md, "Stop 29"). Falls back to <see cref="DisposeAll"/> when no child
    /// can be started.
    /// </summary>
    public static void DetachInBackground(IReadOnlyList<BpfLink> links)
    {
        // AGENTSIGHT_DETACH_WAIT=1 waits as before: for measuring what this saves (docs/PERFORMANCE.md).
        if (links.Count > 1 && Environment.GetEnvironmentVariable("AGENTSIGHT_DETACH_WAIT") != "1" && TryLendToChild([.. links], out var release))
        {
            // The child holds the links: detaching this process's copies waits for nothing, no threads needed.
            foreach (var link in links)
            {
                link.Dispose();
            }
            // Its input ends: it exits, and the kernel releases the links.
            _ = Posix.Close(release);
            return;
        }
        DisposeAll(links);
    }

    private const string Holder = "/bin/cat";

    /// <summary>
    /// Starts a child that holds the descriptors of <paramref name="group"/> until <paramref name="release"/> (a pipe's
    /// write end) is closed; false when none could be started.
    /// </summary>
    private static unsafe bool TryLendToChild(List<BpfLink> group, out int release)
    {
        const int SetFd = 2, CloseOnExec = 1;
        release = -1;
        var pipe = stackalloc int[2];
        if (!File.Exists(Holder) || Posix.Pipe2(pipe, Posix.OCloexec) != 0)
        {
            return false;
        }
        var fds = group.Select(l => l.Fd).Where(fd => fd >= 0).ToList();
        bool spawned;
        try
        {
            fds.ForEach(fd => Libbpf.Fcntl(fd, SetFd, 0));
            // The read end becomes the child's input (dup2 leaves it open across exec); the write end stays here.
            spawned = ChildSpawner.SpawnDetached(Holder, pipe[0]);
        }
        finally
        {
            fds.ForEach(fd => Libbpf.Fcntl(fd, SetFd, CloseOnExec));
            _ = Posix.Close(pipe[0]);
        }
        if (!spawned)
        {
            _ = Posix.Close(pipe[1]);
            return false;
        }
        release = pipe[1];
        return true;
    }

    /// <summary>The link's file descriptor, or -1.</summary>
    private int Fd => _handle switch
    {
        BpfLinkHandle libbpf => libbpf.Fd,
        UprobeMulti.LinkFdHandle raw => raw.Fd,
        _ => -1,
    };

    /// <summary>Threads detaching at once: each mostly waits in the kernel.</summary>
    private const int MaxDetachThreads = 64;

    public override string ToString() => Description;
}
