namespace AgentSight.Plugins.Mcp;

/// <summary>One end of an MCP conversation: a process of a stdio pair, or a side of an HTTP session.</summary>
/// <param name="Key">What tells it from others (<c>pid:N</c>, <c>http:SESSION:client</c>); <c>?</c> when unknown.</param>
/// <param name="Pid">Its process, when known.</param>
internal readonly record struct Endpoint(string Key, int? Pid)
{
    public static Endpoint Unknown { get; } = new("?", null);

    public bool IsUnknown => Key == "?";

    public static Endpoint OfProcess(int? pid) => pid is > 0 ? new Endpoint($"pid:{pid}", pid) : Unknown;

    /// <summary>Could be the same end: equal, or one of them unknown.</summary>
    public bool Matches(Endpoint other) => IsUnknown || other.IsUnknown || Key == other.Key;
}
