namespace AgentSight.Plugins.Sse;

/// <summary>A set of exchange ids that forgets the oldest beyond its capacity, so it cannot grow without bound.</summary>
internal sealed class BoundedIdSet(int capacity)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private Queue<string> _order = new();

    public int Count => _ids.Count;

    public void Add(string id)
    {
        if (!_ids.Add(id))
        {
            return;
        }
        _order.Enqueue(id);
        while (_ids.Count > capacity && _order.TryDequeue(out var oldest))
        {
            _ids.Remove(oldest);
        }
        if (_order.Count > 2 * Math.Max(capacity, 16))
        {
            // Ids removed early leave stale entries behind: drop them now and then.
            _order = new Queue<string>(_order.Where(_ids.Contains));
        }
    }

    public bool Contains(string id) => _ids.Contains(id);

    /// <summary>Removes the id; its queue entry goes when it comes up (a stale entry removes nothing).</summary>
    public bool Remove(string id) => _ids.Remove(id);
}
