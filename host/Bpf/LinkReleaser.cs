namespace AgentSight.Host.Bpf;

/// <summary>
/// Detaches links on a thread of its own, while the capture goes on: each detach waits for kernel grace periods (a
/// tenth of a second is common), which a caller such as the end of a process must not wait for. What arrives during a
/// detach is detached together next time (their waits overlap: <see cref="BpfLink.DisposeAll"/>).
/// </summary>
internal sealed class LinkReleaser
{
    private readonly object _gate = new();
    private readonly List<BpfLink> _queued = [];
    private Thread? _worker;
    private bool _disposed;

    /// <summary>Detaches <paramref name="links"/> soon; at once, on the calling thread, once stopped.</summary>
    public void Release(IEnumerable<BpfLink> links)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _queued.AddRange(links);
                if (_worker is null)
                {
                    _worker = new Thread(Work, maxStackSize: 256 * 1024) { IsBackground = true, Name = "agentsight-unlink" };
                    _worker.Start();
                }
                else
                {
                    Monitor.Pulse(_gate);
                }
                return;
            }
        }
        BpfLink.DisposeAll([.. links]);
    }

    /// <summary>
    /// Stops, and returns what was still queued for the caller to detach with its own links; a detach under way
    /// finishes in the background.
    /// </summary>
    public List<BpfLink> Stop()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.Pulse(_gate);
            var queued = new List<BpfLink>(_queued);
            _queued.Clear();
            return queued;
        }
    }

    private void Work()
    {
        while (true)
        {
            List<BpfLink> batch;
            lock (_gate)
            {
                while (_queued.Count == 0 && !_disposed)
                {
                    Monitor.Wait(_gate);
                }
                if (_queued.Count == 0)
                {
                    return;
                }
                batch = [.. _queued];
                _queued.Clear();
            }
            BpfLink.DisposeAll(batch);
        }
    }
}
