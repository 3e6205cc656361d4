using System.Text.Json.Nodes;

namespace AgentSight.Tests.Agents;

/// <summary>One request <see cref="AgentEndpoint"/> received, as it arrived (the body decoded from gzip/deflate/br).</summary>
/// <param name="Index">Its position among the endpoint's requests, from 0.</param>
/// <param name="ConnectionId">Kestrel's id of the connection it came on (the same id: the same kept-alive connection).</param>
/// <param name="Protocol">The HTTP version, e.g. <c>HTTP/1.1</c>.</param>
/// <param name="TlsVersion">The TLS version agreed, e.g. <c>Tls13</c>.</param>
/// <param name="OfferedAlpn">The protocols the client offered in its ClientHello (ALPN), in order; Codex offers <c>h2</c> and <c>http/1.1</c>.</param>
/// <param name="Alpn">The protocol agreed in the TLS handshake (ALPN), or empty when the client offered none.</param>
/// <param name="Path">The path without the query.</param>
/// <param name="Query">The query with its <c>?</c>, or empty.</param>
/// <param name="Headers">Header names in lower case; repeated headers joined with <c>", "</c>.</param>
/// <param name="ContentEncoding">The request's <c>Content-Encoding</c>, if any (a <c>zstd</c> body stays undecoded).</param>
public sealed record RecordedRequest(
    int Index,
    DateTimeOffset Time,
    string ConnectionId,
    string Protocol,
    string TlsVersion,
    IReadOnlyList<string> OfferedAlpn,
    string Alpn,
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string? ContentEncoding,
    string Body)
{
    private readonly Lazy<JsonNode?> _json = new(() => ParseJson(Body));

    public string PathAndQuery => Path + Query;

    /// <summary>The body parsed as JSON, or null when it is empty or not JSON.</summary>
    public JsonNode? Json => _json.Value;

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

    public override string ToString() => $"#{Index} {Method} {PathAndQuery} {Protocol} ({TlsVersion}, alpn offered [{string.Join(",", OfferedAlpn)}] agreed {(Alpn.Length == 0 ? "-" : Alpn)}, conn {ConnectionId}, {Body.Length} chars)";

    private static JsonNode? ParseJson(string body)
    {
        if (body.Length == 0)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
