using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Llm.Apis;

/// <summary>Every API the analyzer recognises, and the recognition of a call among them.</summary>
internal static class ModelApis
{
    /// <summary>Gemini, also through Vertex AI.</summary>
    public static readonly IModelApi Gemini = new GeminiApi();

    /// <summary>Anthropic Messages, also through Bedrock and Vertex AI.</summary>
    public static readonly IModelApi AnthropicMessages = new AnthropicMessagesApi();

    /// <summary>OpenAI Chat Completions and the providers that speak it.</summary>
    public static readonly IModelApi OpenAiChat = new OpenAiChatApi();

    /// <summary>OpenAI Responses, over HTTP or a WebSocket.</summary>
    public static readonly IModelApi OpenAiResponses = new OpenAiResponsesApi();

    /// <summary>
    /// Every API, in the order they are asked. Each answers only for paths of its own (their endings do not
    /// overlap), so the order decides nothing today; a new API whose paths overlap another's goes before it.
    /// </summary>
    public static IReadOnlyList<IModelApi> All => Order;

    /// <summary><see cref="All"/> as an array: asked for every request, so the loops allocate no enumerator.</summary>
    private static readonly IModelApi[] Order =
        [Gemini, AnthropicMessages, OpenAiChat, OpenAiResponses, new OllamaApi(generate: false), new OllamaApi(generate: true)];

    /// <summary>
    /// Recognises a call to a model from the request's method, host, target and body. A path alone is not enough where
    /// it is generic (<c>/messages</c>, <c>/responses</c>): the body must have the API's shape too.
    /// </summary>
    public static CallTarget? Detect(string? method, string? host, string? target, JsonNode? body)
    {
        if (method != "POST" || string.IsNullOrEmpty(target))
        {
            return null;
        }
        var path = CallTarget.PathOf(target);
        var name = CallTarget.HostName(host);
        foreach (var api in Order)
        {
            if (api.Detect(path, name, host, body) is { } call)
            {
                return call;
            }
        }
        return null;
    }

    /// <summary>True when the request target may be a call to a model, so its body is worth parsing.</summary>
    public static bool IsCandidate(string? method, string? target)
    {
        if (method != "POST" || string.IsNullOrEmpty(target))
        {
            return false;
        }
        var path = CallTarget.PathOf(target);
        foreach (var api in Order)
        {
            if (api.MayCall(path))
            {
                return true;
            }
        }
        return false;
    }
}
