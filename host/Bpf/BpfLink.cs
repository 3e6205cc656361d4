namespace AgentSight.Host.Bpf;

/// <summary>An attached program (a probe on a function, a tracepoint); disposing it detaches the program.</summary>
internal sealed class BpfLink : IDisposable
{
    private readonly BpfLinkHandle _handle;

    public BpfLink(BpfLinkHandle handle, string description)
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

    /// <summary>Threads detaching at once: each mostly waits in the kernel.</summary>
    private const int MaxDetachThreads = 64;

    public override string ToString() => Description;
}
