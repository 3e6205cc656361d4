namespace AgentSight.Traffic;

/// <summary>The kind of program making the calls; it decides header spelling, user agent and process name.</summary>
internal enum ClientKind
{
    /// <summary>A Python SDK on httpx (comm <c>python3</c>): capitalised standard headers, dynamic libssl.</summary>
    Python,

    /// <summary>A Node.js SDK on undici (comm <c>node</c>): lowercase headers, OpenSSL inside the node binary.</summary>
    Node,

    /// <summary>Claude Code (comm <c>claude</c>, a Node program): beta path, prompt caching, side calls for titles.</summary>
    ClaudeCode,
}
