using System.Globalization;
using System.Text.Json.Nodes;

namespace AgentSight.Tests.Analyzers.Mcp;

/// <summary>One read the tee made: what the client sent the server, or the server the client, as it came.</summary>
internal sealed record TeeRead(bool FromClient, int ServerPid, long MonotonicNs, byte[] Bytes)
{
    public static List<TeeRead> Load(string path) =>
        [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!).Select(n => new TeeRead(
            (string)n["from"]! == "client",
            (int)n["server_pid"]!,
            long.Parse((string)n["t"]!, CultureInfo.InvariantCulture),
            Convert.FromBase64String((string)n["b"]!)))];
}
