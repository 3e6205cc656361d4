namespace AgentSight.Traffic;

/// <summary>A process making LLM calls: its identity, its credentials and its idle kept-alive connections.</summary>
internal sealed class AgentProcess
{
    public required int Pid { get; init; }

    public required ClientKind Client { get; init; }

    public required string Comm { get; init; }

    /// <summary>Where the process's TLS library lives (Node carries OpenSSL inside its binary).</summary>
    public required string Library { get; init; }

    /// <summary>Where this process's heap lies: connection ids (SSL* addresses) are taken from here.</summary>
    public required ulong HeapBase { get; init; }

    public Dictionary<SyntheticProvider, string> ApiKeys { get; } = [];

    /// <summary>Idle connections per host, oldest first.</summary>
    public Dictionary<string, List<ulong>> IdleConnections { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether an earlier call warmed the provider's prompt cache.</summary>
    public HashSet<SyntheticProvider> WarmCache { get; } = [];

    /// <summary>Worker threads of a Python process, beyond the main thread.</summary>
    public List<int> Threads { get; } = [];
}
