using System.Text.Json.Nodes;

namespace AgentSight.Traffic;

/// <summary>The Anthropic Messages API: <c>POST /v1/messages</c>, <c>x-api-key</c>, named SSE events.</summary>
internal sealed class AnthropicApi : LlmApi
{
    public override SyntheticProvider Provider => SyntheticProvider.Anthropic;

    public override string Host => "api.anthropic.com";

    /// <summary>The small model Claude Code uses for side calls such as session titles.</summary>
    public static ModelChoice SideModel { get; } = new("claude-haiku-4-5-20251001", "claude-haiku-4-5-20251001");

    public override IReadOnlyList<ModelChoice> Models(ClientKind client) => client == ClientKind.ClaudeCode
        ? [new("claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929"), new("claude-opus-4-1-20250805", "claude-opus-4-1-20250805")]
        : [new("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"), new("claude-opus-4-1", "claude-opus-4-1-20250805")];

    // The SDKs' beta namespace, which Claude Code uses, adds ?beta=true.
    public override string Path(ModelChoice model, bool stream, ClientKind client) =>
        client == ClientKind.ClaudeCode ? "/v1/messages?beta=true" : "/v1/messages";

    // Real keys are sk-ant-api03- + 93 characters of [A-Za-z0-9_-] + AA.
    public override string NewApiKey(SyntheticRandom random) => "sk-ant-api03-FAKE-" + random.Chars(88, Base64Url) + "AA";

    public override string? NewToolCallId(SyntheticRandom random) => "toolu_01" + random.Chars(22, Base62);

    public override string NewRequestId(SyntheticRandom random) => "req_011CV" + random.Chars(19, Base62);

    public override IEnumerable<(string Name, string Value)> RequestHeaders(ClientKind client, string apiKey)
    {
        if (client == ClientKind.Python)
        {
            yield return ("Accept-Encoding", "gzip, deflate");
            yield return ("Connection", "keep-alive");
            yield return ("Accept", "application/json");
            yield return ("Content-Type", "application/json");
            yield return ("User-Agent", "Anthropic/Python 0.69.0");
            yield return ("X-Stainless-Lang", "python");
            yield return ("X-Stainless-Package-Version", "0.69.0");
            yield return ("X-Stainless-Runtime", "CPython");
            yield return ("X-Stainless-Runtime-Version", "3.12.3");
            yield return ("anthropic-version", "2023-06-01");
            yield return ("x-api-key", apiKey);
            yield return ("x-stainless-retry-count", "0");
            yield return ("x-stainless-read-timeout", "600");
            yield break;
        }
        yield return ("connection", "keep-alive");
        yield return ("accept", "application/json");
        if (client == ClientKind.ClaudeCode)
        {
            yield return ("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14");
        }
        yield return ("anthropic-version", "2023-06-01");
        yield return ("content-type", "application/json");
        yield return ("user-agent", client == ClientKind.ClaudeCode ? "claude-cli/2.0.14 (external, cli)" : "Anthropic/JS 0.65.0");
        yield return ("x-api-key", apiKey);
        if (client == ClientKind.ClaudeCode)
        {
            yield return ("x-app", "cli");
        }
        yield return ("x-stainless-arch", "x64");
        yield return ("x-stainless-lang", "js");
        yield return ("x-stainless-os", "Linux");
        yield return ("x-stainless-package-version", "0.65.0");
        yield return ("x-stainless-retry-count", "0");
        yield return ("x-stainless-runtime", "node");
        yield return ("x-stainless-runtime-version", "v22.19.0");
        yield return ("x-stainless-timeout", "600");
        yield return ("accept-encoding", "gzip, deflate, br, zstd");
    }

    public override string RequestBody(LlmRequest request, ClientKind client)
    {
        var blocks = client != ClientKind.Python;
        var messages = new JsonArray();
        foreach (var turn in request.Turns)
        {
            messages.Add(turn switch
            {
                UserTurn user => new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = blocks ? new JsonArray(new JsonObject { ["type"] = "text", ["text"] = user.Text }) : user.Text,
                },
                AssistantTurn assistant => new JsonObject { ["role"] = "assistant", ["content"] = ContentBlocks(assistant.Text, assistant.ToolCall) },
                ToolResultTurn result => new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = new JsonArray(new JsonObject
                    {
                        ["type"] = "tool_result",
                        ["tool_use_id"] = result.Call.Id,
                        ["content"] = result.Output,
                    }),
                },
                _ => throw new InvalidOperationException($"unknown turn {turn}"),
            });
        }

        var body = new JsonObject { ["model"] = request.Model, ["max_tokens"] = request.MaxTokens };
        body["system"] = client == ClientKind.ClaudeCode
            ? new JsonArray(new JsonObject
            {
                ["type"] = "text",
                ["text"] = request.System,
                ["cache_control"] = new JsonObject { ["type"] = "ephemeral" },
            })
            : request.System;
        body["messages"] = messages;
        if (request.Tools.Count > 0)
        {
            var tools = new JsonArray();
            foreach (var tool in request.Tools)
            {
                tools.Add(new JsonObject { ["name"] = tool.Name, ["description"] = tool.Description, ["input_schema"] = ParseObject(tool.ParametersJson) });
            }
            body["tools"] = tools;
        }
        body["temperature"] = request.Temperature;
        if (client == ClientKind.ClaudeCode)
        {
            body["metadata"] = new JsonObject { ["user_id"] = "user_fake0000000000000000000000000000000000000000000000000000000000_account__session_0" };
        }
        body["stream"] = request.Stream;
        return WireJson.Write(body);
    }

    public override IEnumerable<(string Name, string Value)> ResponseHeaders(bool stream, string requestId, DateTimeOffset date, SyntheticRandom random)
    {
        yield return ("Date", date.ToString("R"));
        yield return ("Content-Type", stream ? "text/event-stream; charset=utf-8" : "application/json");
        yield return ("Connection", "keep-alive");
        if (stream)
        {
            yield return ("Cache-Control", "no-cache");
        }
        yield return ("anthropic-ratelimit-requests-limit", "4000");
        yield return ("anthropic-ratelimit-requests-remaining", Number(random.Next(3900, 4000)));
        yield return ("anthropic-ratelimit-requests-reset", date.AddSeconds(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
        yield return ("request-id", requestId);
        yield return ("strict-transport-security", "max-age=31536000; includeSubDomains; preload");
        yield return ("anthropic-organization-id", "00000000-fake-4000-8000-" + random.Chars(12, Hex));
        yield return ("via", "1.1 google");
        yield return ("cf-cache-status", "DYNAMIC");
        yield return ("X-Robots-Tag", "none");
        yield return ("Server", "cloudflare");
        yield return ("CF-RAY", CfRay(random));
    }

    public override ApiResponse Respond(ResponseContext context)
    {
        var random = context.Random;
        var id = "msg_01" + random.Chars(22, Base62);
        var answer = context.Answer;
        var usage = context.Usage;
        var stopReason = answer.ToolCall is null ? "end_turn" : "tool_use";

        if (!context.Request.Stream)
        {
            return new ApiResponse
            {
                ResponseId = id,
                FinishReason = stopReason,
                Body = WireJson.Write(new JsonObject
                {
                    ["id"] = id,
                    ["type"] = "message",
                    ["role"] = "assistant",
                    ["model"] = context.Model.Responded,
                    ["content"] = ContentBlocks(answer.Text, answer.ToolCall),
                    ["stop_reason"] = stopReason,
                    ["stop_sequence"] = null,
                    ["usage"] = Usage(usage, usage.OutputTokens, full: true),
                }),
            };
        }

        var events = new List<string>
        {
            Sse("message_start", new JsonObject
            {
                ["type"] = "message_start",
                ["message"] = new JsonObject
                {
                    ["id"] = id,
                    ["type"] = "message",
                    ["role"] = "assistant",
                    ["model"] = context.Model.Responded,
                    ["content"] = new JsonArray(),
                    ["stop_reason"] = null,
                    ["stop_sequence"] = null,
                    ["usage"] = Usage(usage, outputTokens: 1, full: true),
                },
            }),
        };
        var index = 0;
        var pinged = false;
        if (answer.Text.Length > 0)
        {
            events.Add(Sse("content_block_start", new JsonObject
            {
                ["type"] = "content_block_start",
                ["index"] = index,
                ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" },
            }));
            // Anthropic sends its ping right after the first block starts, with a space in the JSON.
            events.Add(Sse("ping", """{"type": "ping"}"""));
            pinged = true;
            foreach (var piece in SplitText(answer.Text, random, 2, 24))
            {
                events.Add(Delta(index, new JsonObject { ["type"] = "text_delta", ["text"] = piece }));
            }
            events.Add(Sse("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = index }));
            index++;
        }
        if (answer.ToolCall is { } call)
        {
            events.Add(Sse("content_block_start", new JsonObject
            {
                ["type"] = "content_block_start",
                ["index"] = index,
                ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = new JsonObject() },
            }));
            if (!pinged)
            {
                events.Add(Sse("ping", """{"type": "ping"}"""));
            }
            // The first partial_json is empty, as the API sends it.
            events.Add(Delta(index, new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = "" }));
            foreach (var piece in SplitText(call.ArgumentsJson, random, 4, 30))
            {
                events.Add(Delta(index, new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece }));
            }
            events.Add(Sse("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = index }));
        }
        // Newer API versions repeat the input counts in message_delta; older ones send output_tokens only.
        var deltaUsage = random.Chance(0.5)
            ? Usage(usage, usage.OutputTokens, full: false)
            : new JsonObject { ["output_tokens"] = usage.OutputTokens };
        events.Add(Sse("message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = stopReason, ["stop_sequence"] = null },
            ["usage"] = deltaUsage,
        }));
        events.Add(Sse("message_stop", new JsonObject { ["type"] = "message_stop" }));
        return new ApiResponse { ResponseId = id, FinishReason = stopReason, Events = events };
    }

    private string Delta(int index, JsonObject delta) => Sse("content_block_delta", new JsonObject
    {
        ["type"] = "content_block_delta",
        ["index"] = index,
        ["delta"] = delta,
    });

    private static JsonArray ContentBlocks(string? text, SyntheticToolCall? call)
    {
        var content = new JsonArray();
        if (!string.IsNullOrEmpty(text))
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = text });
        }
        if (call is not null)
        {
            content.Add(new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = ParseObject(call.ArgumentsJson) });
        }
        return content;
    }

    private static JsonObject Usage(TokenUsage usage, long outputTokens, bool full)
    {
        var result = new JsonObject
        {
            ["input_tokens"] = usage.InputTokens,
            ["cache_creation_input_tokens"] = usage.CacheCreationInputTokens,
            ["cache_read_input_tokens"] = usage.CachedInputTokens,
        };
        if (full)
        {
            result["cache_creation"] = new JsonObject
            {
                ["ephemeral_5m_input_tokens"] = usage.CacheCreationInputTokens,
                ["ephemeral_1h_input_tokens"] = 0,
            };
        }
        result["output_tokens"] = outputTokens;
        if (full)
        {
            result["service_tier"] = "standard";
        }
        return result;
    }
}
