using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Mcp;

/// <summary>What the <c>initialize</c> exchange of one client and server said: who is who, their names and versions.</summary>
internal sealed class Conversation
{
    /// <summary>The end that sent <c>initialize</c>, once seen.</summary>
    public Endpoint? Client { get; set; }

    /// <summary><c>clientInfo</c>: name and version.</summary>
    public JsonObject? ClientInfo { get; set; }

    /// <summary><c>serverInfo</c>: name and version.</summary>
    public JsonObject? ServerInfo { get; set; }

    public string? ProtocolVersion { get; set; }

    /// <summary>
    /// Takes what <paramref name="other"/> learned and this one lacks: a request seen before its receiver was known
    /// (a stream's first message, before the capture saw the other end) keeps its facts under a half-known pair.
    /// </summary>
    public void Adopt(Conversation other)
    {
        if (ReferenceEquals(this, other))
        {
            return;
        }
        Client ??= other.Client;
        ClientInfo ??= other.ClientInfo;
        ServerInfo ??= other.ServerInfo;
        ProtocolVersion ??= other.ProtocolVersion;
    }
}
