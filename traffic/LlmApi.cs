using System.Globalization;
using System.Text.Json.Nodes;

namespace AgentSight.Traffic;

/// <summary>One provider's HTTP API: where requests go, how they and their responses are written.</summary>
internal abstract class LlmApi
{
    protected const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    protected const string Base64Url = Base62 + "-_";
    protected const string Hex = "0123456789abcdef";

    public abstract SyntheticProvider Provider { get; }

    public abstract string Host { get; }

    /// <summary>The models a client of <paramref name="client"/> kind uses for its main calls.</summary>
    public abstract IReadOnlyList<ModelChoice> Models(ClientKind client);

    /// <summary>The request target (path and query).</summary>
    public abstract string Path(ModelChoice model, bool stream, ClientKind client);

    /// <summary>A fake credential shaped like the provider's real ones, so that redaction can be tested on it.</summary>
    public abstract string NewApiKey(SyntheticRandom random);

    /// <summary>A tool call id in the provider's form, or null when the provider has none.</summary>
    public abstract string? NewToolCallId(SyntheticRandom random);

    /// <summary>The request headers in the order the client sends them, without Host and Content-Length.</summary>
    public abstract IEnumerable<(string Name, string Value)> RequestHeaders(ClientKind client, string apiKey);

    public abstract string RequestBody(LlmRequest request, ClientKind client);

    /// <summary>The response headers after the status line and before the framing headers.</summary>
    public abstract IEnumerable<(string Name, string Value)> ResponseHeaders(bool stream, string requestId, DateTimeOffset date, SyntheticRandom random);

    /// <summary>The value of the response's request-id header.</summary>
    public abstract string NewRequestId(SyntheticRandom random);

    public abstract ApiResponse Respond(ResponseContext context);

    /// <summary>The SSE line ending this provider uses (Gemini's alt=sse uses CRLF).</summary>
    protected virtual string SseNewline => "\n";

    protected string Sse(string? name, JsonNode data) => Sse(name, WireJson.Write(data));

    protected string Sse(string? name, string data)
    {
        var nl = SseNewline;
        return name is null ? $"data: {data}{nl}{nl}" : $"event: {name}{nl}data: {data}{nl}{nl}";
    }

    /// <summary>Splits text into stream deltas of a few characters each, never inside a surrogate pair.</summary>
    protected static List<string> SplitText(string text, SyntheticRandom random, int minChars, int maxChars)
    {
        var pieces = new List<string>();
        var at = 0;
        while (at < text.Length)
        {
            var end = Math.Min(text.Length, at + random.Next(minChars, maxChars + 1));
            if (end < text.Length && char.IsLowSurrogate(text[end]))
            {
                end++;
            }
            pieces.Add(text[at..end]);
            at = end;
        }
        return pieces;
    }

    protected static JsonNode ParseObject(string json) => JsonNode.Parse(json) ?? new JsonObject();

    protected static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A Cloudflare ray id as API front ends send it.</summary>
    protected static string CfRay(SyntheticRandom random) => random.Chars(16, Hex) + "-" + random.Pick(["FRA", "AMS", "SJC", "IAD", "NRT"]);

    /// <summary>The header name as the client spells it: Python keeps its capitals, Node's fetch lowercases everything.</summary>
    protected static string Spell(ClientKind client, string name) => client == ClientKind.Python ? name : name.ToLowerInvariant();
}
