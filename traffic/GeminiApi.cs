using System.Text.Json.Nodes;

namespace AgentSight.Traffic;

/// <summary>
/// The Gemini API: the model in the URL, <c>x-goog-api-key</c>, and with <c>alt=sse</c> data-only events ending in
/// CRLF CRLF, no <c>[DONE]</c>; the last chunk carries <c>finishReason</c> and the final usage.
/// </summary>
internal sealed class GeminiApi : LlmApi
{
    public override SyntheticProvider Provider => SyntheticProvider.Gemini;

    public override string Host => "generativelanguage.googleapis.com";

    protected override string SseNewline => "\r\n";

    public override IReadOnlyList<ModelChoice> Models(ClientKind client) =>
    [
        new("gemini-2.5-flash", "gemini-2.5-flash", Reasons: true),
        new("gemini-2.5-pro", "gemini-2.5-pro", Reasons: true),
        new("gemini-2.0-flash", "gemini-2.0-flash"),
    ];

    public override string Path(ModelChoice model, bool stream, ClientKind client) => stream
        ? $"/v1beta/models/{model.Requested}:streamGenerateContent?alt=sse"
        : $"/v1beta/models/{model.Requested}:generateContent";

    // Real keys: AIza + 35 characters of [0-9A-Za-z_-].
    public override string NewApiKey(SyntheticRandom random) => "AIzaSyFAKE" + random.Chars(29, Base64Url);

    public override string? NewToolCallId(SyntheticRandom random) => null;

    public override string NewRequestId(SyntheticRandom random) => random.Chars(23, Base64Url);

    public override IEnumerable<(string Name, string Value)> RequestHeaders(ClientKind client, string apiKey)
    {
        var agent = client == ClientKind.Python
            ? "google-genai-sdk/1.38.0 gl-python/3.12.3"
            : "google-genai-sdk/1.20.0 gl-node/v22.19.0";
        yield return (Spell(client, "Accept-Encoding"), client == ClientKind.Python ? "gzip, deflate" : "gzip, deflate, br, zstd");
        yield return (Spell(client, "Connection"), "keep-alive");
        yield return (Spell(client, "Accept"), "*/*");
        yield return (Spell(client, "Content-Type"), "application/json");
        yield return ("x-goog-api-key", apiKey);
        yield return ("user-agent", agent);
        yield return ("x-goog-api-client", agent);
    }

    public override string RequestBody(LlmRequest request, ClientKind client)
    {
        var contents = new JsonArray();
        foreach (var turn in request.Turns)
        {
            switch (turn)
            {
                case UserTurn user:
                    contents.Add(Content("user", new JsonObject { ["text"] = user.Text }));
                    break;
                case AssistantTurn assistant:
                    var parts = new JsonArray();
                    if (!string.IsNullOrEmpty(assistant.Text))
                    {
                        parts.Add(new JsonObject { ["text"] = assistant.Text });
                    }
                    if (assistant.ToolCall is { } call)
                    {
                        parts.Add(FunctionCall(call));
                    }
                    contents.Add(new JsonObject { ["role"] = "model", ["parts"] = parts });
                    break;
                case ToolResultTurn result:
                    contents.Add(Content("user", new JsonObject
                    {
                        ["functionResponse"] = new JsonObject
                        {
                            ["name"] = result.Call.Name,
                            ["response"] = new JsonObject { ["output"] = result.Output },
                        },
                    }));
                    break;
            }
        }
        var body = new JsonObject
        {
            ["contents"] = contents,
            ["systemInstruction"] = Content("user", new JsonObject { ["text"] = request.System }),
        };
        if (request.Tools.Count > 0)
        {
            var declarations = new JsonArray();
            foreach (var tool in request.Tools)
            {
                declarations.Add(new JsonObject { ["name"] = tool.Name, ["description"] = tool.Description, ["parameters"] = ParseObject(tool.ParametersJson) });
            }
            body["tools"] = new JsonArray(new JsonObject { ["functionDeclarations"] = declarations });
        }
        body["generationConfig"] = new JsonObject { ["temperature"] = request.Temperature, ["maxOutputTokens"] = request.MaxTokens };
        return WireJson.Write(body);
    }

    public override IEnumerable<(string Name, string Value)> ResponseHeaders(bool stream, string requestId, DateTimeOffset date, SyntheticRandom random)
    {
        yield return ("Content-Type", stream ? "text/event-stream" : "application/json; charset=UTF-8");
        if (stream)
        {
            yield return ("Content-Disposition", "attachment");
        }
        // Google sends Vary three times: a repeated header that parsers must not collapse carelessly.
        yield return ("Vary", "Origin");
        yield return ("Vary", "X-Origin");
        yield return ("Vary", "Referer");
        yield return ("Date", date.ToString("R"));
        yield return ("Server", "scaffolding on HTTPServer2");
        yield return ("X-XSS-Protection", "0");
        yield return ("X-Frame-Options", "SAMEORIGIN");
        yield return ("X-Content-Type-Options", "nosniff");
        yield return ("Server-Timing", $"gfet4t7; dur={random.Next(200, 4000)}");
        yield return ("Alt-Svc", "h3=\":443\"; ma=2592000,h3-29=\":443\"; ma=2592000");
    }

    public override ApiResponse Respond(ResponseContext context)
    {
        var random = context.Random;
        var responseId = random.Chars(23, Base64Url);
        var answer = context.Answer;
        var usage = context.Usage;

        if (!context.Request.Stream)
        {
            var parts = new JsonArray();
            if (answer.Text.Length > 0)
            {
                parts.Add(new JsonObject { ["text"] = answer.Text });
            }
            if (answer.ToolCall is { } call)
            {
                parts.Add(FunctionCall(call));
            }
            return new ApiResponse
            {
                ResponseId = responseId,
                FinishReason = "STOP",
                Body = WireJson.Write(Chunk(parts, finished: true, Usage(usage, usage.OutputTokens), context.Model, responseId)),
            };
        }

        // Gemini streams bigger pieces than the others; the text and a function call may share the last chunk.
        var pieces = answer.Text.Length > 0 ? SplitText(answer.Text, random, 20, 90) : [];
        var chunks = new List<JsonArray>();
        foreach (var piece in pieces)
        {
            chunks.Add([new JsonObject { ["text"] = piece }]);
        }
        if (answer.ToolCall is { } toolCall)
        {
            if (chunks.Count > 0 && random.Chance(0.5))
            {
                chunks[^1].Add(FunctionCall(toolCall));
            }
            else
            {
                chunks.Add([FunctionCall(toolCall)]);
            }
        }
        var events = new List<string>();
        for (var i = 0; i < chunks.Count; i++)
        {
            var last = i == chunks.Count - 1;
            // Intermediate usage grows and is not final; only the last chunk's counts are.
            var soFar = last ? usage.OutputTokens : Math.Max(1, usage.OutputTokens * (i + 1) / chunks.Count);
            events.Add(Sse(null, Chunk(chunks[i], last, Usage(usage, soFar), context.Model, responseId)));
        }
        return new ApiResponse { ResponseId = responseId, FinishReason = "STOP", Events = events };
    }

    private static JsonObject Content(string role, JsonObject part) => new() { ["role"] = role, ["parts"] = new JsonArray(part) };

    private static JsonObject FunctionCall(SyntheticToolCall call) => new()
    {
        ["functionCall"] = new JsonObject { ["name"] = call.Name, ["args"] = ParseObject(call.ArgumentsJson) },
    };

    private static JsonObject Chunk(JsonArray parts, bool finished, JsonObject usage, ModelChoice model, string responseId)
    {
        var candidate = new JsonObject { ["content"] = new JsonObject { ["parts"] = parts, ["role"] = "model" } };
        if (finished)
        {
            candidate["finishReason"] = "STOP";
        }
        candidate["index"] = 0;
        return new JsonObject
        {
            ["candidates"] = new JsonArray(candidate),
            ["usageMetadata"] = usage,
            ["modelVersion"] = model.Responded,
            ["responseId"] = responseId,
        };
    }

    private static JsonObject Usage(TokenUsage usage, long candidates)
    {
        var result = new JsonObject
        {
            ["promptTokenCount"] = usage.InputTokens,
            ["candidatesTokenCount"] = candidates,
            ["totalTokenCount"] = usage.InputTokens + candidates + usage.ReasoningTokens,
        };
        if (usage.CachedInputTokens > 0)
        {
            result["cachedContentTokenCount"] = usage.CachedInputTokens;
        }
        result["promptTokensDetails"] = new JsonArray(new JsonObject { ["modality"] = "TEXT", ["tokenCount"] = usage.InputTokens });
        if (usage.ReasoningTokens > 0)
        {
            result["thoughtsTokenCount"] = usage.ReasoningTokens;
        }
        return result;
    }
}
