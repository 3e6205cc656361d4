using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Llm.Apis;

/// <summary>
/// One wire format of calls to a model: how a request is recognised, and how its request and its answer read in
/// OpenTelemetry GenAI terms. Adding a provider's API is adding one implementation to <see cref="ModelApis.All"/>.
/// </summary>
internal interface IModelApi
{
    /// <summary>True when a request to <paramref name="path"/> (query removed) may be a call of this API, so its body is worth parsing.</summary>
    bool MayCall(string path);

    /// <summary>
    /// The call a POST to <paramref name="path"/> is, or null when it is not one of this API's. <paramref name="body"/> is
    /// null when it could not be read (cut at the cap, an unknown compression): then only unmistakable paths count.
    /// </summary>
    /// <param name="path">The request path without its query.</param>
    /// <param name="host">The host name, lowercased, without its port.</param>
    /// <param name="rawHost">The host header as sent, for its port.</param>
    /// <param name="body">The request body parsed as JSON, or null.</param>
    CallTarget? Detect(string path, string host, string? rawHost, JsonNode? body);

    /// <summary>Fields every call of this API carries, whatever its body says (default none).</summary>
    void Tag(JsonObject fields)
    {
    }

    /// <summary>The request's model, parameters, input messages and tool definitions as GenAI fields.</summary>
    void MapRequest(CallTarget call, JsonObject body, string path, JsonObject fields, LlmAnalyzerConfig config);

    /// <summary>A whole (non-streamed) response body as a <see cref="NormalizedMessage"/>, or null when it is not one.</summary>
    JsonObject? Normalize(JsonNode? body);

    /// <summary>The token counts in a normalized message's <c>usage</c>, in the conventions' terms.</summary>
    TokenUsage ReadUsage(JsonObject usage);
}
