using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.JsonNodes;
using static AgentSight.Plugins.Llm.GenAiFields;

namespace AgentSight.Plugins.Llm.Apis;

/// <summary>Ollama's own API: <c>/api/chat</c> (messages, as OpenAI Chat) and <c>/api/generate</c> (one prompt).</summary>
internal sealed class OllamaApi(bool generate) : IModelApi
{
    private const int DefaultPort = 11434;

    private readonly bool _generate = generate;

    /// <inheritdoc />
    public bool MayCall(string path) => path.EndsWith(_generate ? "/api/generate" : "/api/chat", StringComparison.Ordinal);

    /// <inheritdoc />
    public CallTarget? Detect(string path, string host, string? rawHost, JsonNode? body)
    {
        if (body is null)
        {
            // Without a body only a chat on Ollama's own port is unmistakable.
            return !_generate && path.EndsWith("/api/chat", StringComparison.Ordinal) && CallTarget.Port(rawHost) == DefaultPort
                ? new CallTarget(this, "ollama", "chat")
                : null;
        }
        if (body is not JsonObject request || !MayCall(path) || !request.ContainsKey("model"))
        {
            return null;
        }
        return _generate
            ? request.ContainsKey("prompt") ? new CallTarget(this, "ollama", "text_completion") : null
            : request.ContainsKey("messages") ? new CallTarget(this, "ollama", "chat") : null;
    }

    /// <inheritdoc />
    public void MapRequest(CallTarget call, JsonObject body, string path, JsonObject fields, LlmAnalyzerConfig config)
    {
        Set(fields, "gen_ai.request.model", Json.Str(body, "model"));
        var options = Json.Obj(body, "options");
        Set(fields, "gen_ai.request.max_tokens", Json.Long(options, "num_predict"));
        Set(fields, "gen_ai.request.temperature", Json.Double(options, "temperature"));
        Set(fields, "gen_ai.request.top_p", Json.Double(options, "top_p"));
        Set(fields, "gen_ai.request.top_k", Json.Double(options, "top_k"));
        Set(fields, "gen_ai.request.seed", Json.Long(options, "seed"));
        Set(fields, "gen_ai.request.stream", Json.Bool(body, "stream") ?? true);
        if (config.IncludeInput)
        {
            if (_generate)
            {
                if (Json.Str(body, "system") is { } system)
                {
                    fields["gen_ai.system_instructions"] = new JsonArray(TextPart(system));
                }
                fields["gen_ai.input.messages"] = new JsonArray(Message("user", [TextPart(Json.Str(body, "prompt") ?? "")]));
            }
            else
            {
                fields["gen_ai.input.messages"] = OpenAiChatApi.ChatMessages(Json.Arr(body, "messages"));
            }
        }
        if (config.IncludeTools && Json.Arr(body, "tools") is { } tools)
        {
            fields["gen_ai.tool.definitions"] = OpenAiChatApi.ChatToolDefinitions(tools);
        }
    }

    /// <inheritdoc />
    public JsonObject? Normalize(JsonNode? body)
    {
        if (body is not JsonObject response)
        {
            return null;
        }
        if (Json.Str(response, "error") is { } error)
        {
            return new JsonObject { ["error"] = new JsonObject { ["message"] = error } };
        }
        var blocks = new JsonArray();
        var message = Json.Obj(response, "message");
        if (Json.Str(message, "thinking") is { Length: > 0 } thinking)
        {
            blocks.Add(new JsonObject { ["type"] = "thinking", ["thinking"] = thinking });
        }
        if ((Json.Str(message, "content") ?? Json.Str(response, "response")) is { Length: > 0 } text)
        {
            blocks.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }
        OpenAiChatApi.AddToolUses(blocks, message);
        var usage = new JsonObject();
        foreach (var name in new[] { "prompt_eval_count", "eval_count", "total_duration", "eval_duration" })
        {
            if (response[name] is JsonValue value)
            {
                usage[name] = value.DeepClone();
            }
        }
        return new JsonObject
        {
            ["model"] = Json.Str(response, "model"),
            ["content"] = blocks,
            ["stop_reason"] = Json.Str(response, "done_reason"),
            ["usage"] = usage,
        };
    }

    /// <inheritdoc />
    public TokenUsage ReadUsage(JsonObject usage) =>
        new(Json.Long(usage, "prompt_eval_count"), Json.Long(usage, "eval_count"), null, null, null);
}
