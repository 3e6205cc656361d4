namespace AgentSight.Plugins.HttpFilter;

/// <summary>
/// The exchange ids dropped most recently, so the events that follow a dropped exchange can be dropped too.
/// Bounded: past <see cref="Capacity"/> the oldest id is forgotten.
/// </summary>
internal sealed class RecentIds(int capacity)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public int Capacity { get; } = capacity;

    public int Count => _ids.Count;

    /// <summary>Remembers an id; returns true when an older one had to be forgotten to make room.</summary>
    public bool Add(string id)
    {
        if (!_ids.Add(id))
        {
            return false;
        }
        _order.Enqueue(id);
        var evicted = false;
        while (_ids.Count > Capacity && _order.TryDequeue(out var oldest))
        {
            evicted |= _ids.Remove(oldest);
        }
        // Ids forgotten through Remove stay queued; rebuild the queue before they outnumber the live ones.
        if (_order.Count > 2 * Capacity)
        {
            var live = _order.Where(_ids.Contains).ToList();
            _order.Clear();
            foreach (var item in live)
            {
                _order.Enqueue(item);
            }
        }
        return evicted;
    }

    public bool Contains(string id) => _ids.Contains(id);

    public void Remove(string id) => _ids.Remove(id);
}
