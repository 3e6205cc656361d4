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
    /// would otherwise wait for at the end of every <c>record</c>. Each link's descriptor is first inherited by a
    /// short-lived child process (<c>sleep</c>, started with <c>posix_spawn</c>: a managed Process.Start costs tens of
    /// milliseconds each under load), then this process detaches its copies as usual, which is quick while
    /// the child still holds the link; the kernel releases the link, with its waits, when the child exits a moment
    /// later. Perf-event links are disabled at once by that detach; uprobe_multi links fire into a ring nobody reads
    /// until the child exits. Falls back to <see cref="DisposeAll"/> when no child can be started.
    /// </summary>
    public static void DetachInBackground(IReadOnlyList<BpfLink> links)
    {
        // AGENTSIGHT_DETACH_WAIT=1 waits as before: for measuring what this saves (docs/PERFORMANCE.md).
        if (links.Count > 1 && File.Exists(Sleeper) && Environment.GetEnvironmentVariable("AGENTSIGHT_DETACH_WAIT") != "1")
        {
            // Several children, so that their releases run side by side and share grace periods.
            var groups = Math.Min(links.Count, MaxHolders);
            for (var g = 0; g < groups; g++)
            {
                if (!TryLendToChild([.. links.Where((_, i) => i % groups == g)]))
                {
                    break;
                }
            }
        }
        DisposeAll(links);
    }

    private const string Sleeper = "/bin/sleep";

    /// <summary>Starts a child that holds <paramref name="group"/>'s descriptors for a second; false when it could not.</summary>
    private static bool TryLendToChild(List<BpfLink> group)
    {
        const int SetFd = 2, CloseOnExec = 1;
        var fds = group.Select(l => l.Fd).Where(fd => fd >= 0).ToList();
        try
        {
            fds.ForEach(fd => Libbpf.Fcntl(fd, SetFd, 0));
            return ChildSpawner.SpawnDetached(Sleeper, "1");
        }
        finally
        {
            fds.ForEach(fd => Libbpf.Fcntl(fd, SetFd, CloseOnExec));
        }
    }

    /// <summary>The link's file descriptor, or -1.</summary>
    private int Fd => _handle switch
    {
        BpfLinkHandle libbpf => libbpf.Fd,
        UprobeMulti.LinkFdHandle raw => raw.Fd,
        _ => -1,
    };

    /// <summary>Child processes <see cref="DetachInBackground"/> starts at most.</summary>
    private const int MaxHolders = 8;

    /// <summary>Threads detaching at once: each mostly waits in the kernel.</summary>
    private const int MaxDetachThreads = 64;

    public override string ToString() => Description;
}
