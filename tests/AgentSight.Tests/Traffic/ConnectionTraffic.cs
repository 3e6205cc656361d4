using AgentSight.Contracts;

namespace AgentSight.Tests.Runners;

/// <summary>What went over one TLS connection: each direction's bytes joined, and where each read ended.</summary>
internal sealed class ConnectionTraffic
{
    private readonly List<byte> _sent = [];
    private readonly List<byte> _received = [];

    public required ulong Id { get; init; }

    public List<AgentEvent> Events { get; } = [];

    public byte[] Sent => [.. _sent];

    public byte[] Received => [.. _received];

    /// <summary>Offsets in <see cref="Received"/> where a read ended (and the next began).</summary>
    public List<int> ReadEnds { get; } = [];

    public List<HttpMessage> Requests() => HttpMessage.ParseAll(Sent);

    public List<HttpMessage> Responses() => HttpMessage.ParseAll(Received);

    /// <summary>Groups ssl events by connection, in event order.</summary>
    public static Dictionary<ulong, ConnectionTraffic> Of(IEnumerable<AgentEvent> events)
    {
        var connections = new Dictionary<ulong, ConnectionTraffic>();
        foreach (var evt in events)
        {
            if (evt.Data is not TlsPayload tls)
            {
                continue;
            }
            if (!connections.TryGetValue(tls.ConnectionId, out var connection))
            {
                connections[tls.ConnectionId] = connection = new ConnectionTraffic { Id = tls.ConnectionId };
            }
            connection.Events.Add(evt);
            switch (tls.Direction)
            {
                case TlsDirection.Write:
                    connection._sent.AddRange(tls.Bytes.ToArray());
                    break;
                case TlsDirection.Read:
                    connection._received.AddRange(tls.Bytes.ToArray());
                    connection.ReadEnds.Add(connection._received.Count);
                    break;
            }
        }
        return connections;
    }
}
