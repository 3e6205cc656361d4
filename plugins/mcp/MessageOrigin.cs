namespace AgentSight.Plugins.Mcp;

/// <summary>Where and how a message travelled: what the <c>mcp</c> event says of its transport.</summary>
internal sealed record MessageOrigin
{
    /// <summary><c>stdio</c> or <c>http</c>.</summary>
    public required string Transport { get; init; }

    public required Endpoint Sender { get; init; }

    public required Endpoint Receiver { get; init; }

    /// <summary>The captured event that carried it (its pid, thread and name label the <c>mcp</c> event when no client is known).</summary>
    public required int Pid { get; init; }

    public int Tid { get; init; }

    public string Comm { get; init; } = "";

    /// <summary>stdio: the stream (kernel inode) it was written on.</summary>
    public ulong? StreamId { get; init; }

    /// <summary>stdio: what the descriptor was (<c>pipe</c>, <c>unix</c>…).</summary>
    public string? StreamKind { get; init; }

    /// <summary>http: the exchange that carried it.</summary>
    public string? ExchangeId { get; init; }

    /// <summary>http: <c>Mcp-Session-Id</c>.</summary>
    public string? SessionId { get; init; }

    /// <summary>http: the endpoint's host and path.</summary>
    public string? Url { get; init; }
}
