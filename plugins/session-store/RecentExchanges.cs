using AgentSight.Plugins.Common.Model;

namespace AgentSight.Plugins.SessionStore;

/// <summary>
/// The latest HTTP exchanges of a session by id, for lining an <c>llm</c> call up with its exchange's times. The llm
/// analyzer emits a call right after its exchange, so only recent ones are ever looked up: the oldest go once
/// <see cref="Capacity"/> is reached, and a session of millions of exchanges holds no more than this many.
/// </summary>
internal sealed class RecentExchanges
{
    /// <summary>Exchanges kept at most: far more than the calls that can be in flight between an exchange and its call.</summary>
    public const int Capacity = 4096;

    private readonly Dictionary<string, HttpExchange> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    /// <summary>Exchanges held now.</summary>
    public int Count => _byId.Count;

    /// <summary>Keeps <paramref name="exchange"/> (the first one seen under an id stays), dropping the oldest when full.</summary>
    public void Add(HttpExchange exchange)
    {
        if (!_byId.TryAdd(exchange.ExchangeId, exchange))
        {
            return;
        }
        _order.Enqueue(exchange.ExchangeId);
        if (_order.Count > Capacity)
        {
            _byId.Remove(_order.Dequeue());
        }
    }

    public bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HttpExchange? exchange) =>
        _byId.TryGetValue(id, out exchange);
}
