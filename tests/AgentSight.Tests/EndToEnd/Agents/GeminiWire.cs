using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AgentSight.Tests.Agents;

/// <summary>
/// The Gemini API (<c>POST /v1beta/models/MODEL:generateContent</c>, <c>:streamGenerateContent?alt=sse</c>), which
/// Gemini CLI speaks with an API key: the model is in the path, tools are <c>{functionDeclarations:[…]}</c>, a tool
/// result is a <c>functionResponse</c> part; the stream is data-only SSE of whole <c>GenerateContentResponse</c>
/// objects (CRLF line ends, no <c>[DONE]</c>), the last one with <c>finishReason</c> and the full usage.
/// </summary>
internal static class GeminiWire
{
    private const string Newline = "\r\n";

    public static ModelCall Inspect(JsonNode body, string model, bool stream)
    {
        var tools = WireJson.Objects(body["tools"])
            .SelectMany(t => WireJson.Objects(t["functionDeclarations"] ?? t["function_declarations"]))
            .Select(f => (Name: WireJson.String(f["name"]) ?? "", Schema: (f["parametersJsonSchema"] ?? f["parameters"]) as JsonObject))
            .ToList();
        string? result = null;
        foreach (var content in WireJson.Objects(body["contents"]))
        {
            foreach (var part in WireJson.Objects(content["parts"]))
            {
                if (part["functionResponse"] is JsonObject response)
                {
                    result = response["response"] is JsonObject output && WireJson.String(output["output"]) is { } text ? text : WireJson.TextOf(response["response"]);
                }
            }
        }
        var config = body["generationConfig"];
        var schema = WireJson.String(config?["responseMimeType"]) == "application/json" ? config?["responseJsonSchema"] ?? config?["responseSchema"] : null;
        return new ModelCall(WireApi.Gemini, model, stream, [.. tools.Select(t => t.Name)], ShellTool.Pick(tools, ["run_shell_command"]), result, schema);
    }

    /// <summary>Splits <c>/v1beta/models/MODEL:METHOD</c>; null when the path is not of that form.</summary>
    public static (string Model, string Method)? ParsePath(string path)
    {
        const string prefix = "/models/";
        var at = path.IndexOf(prefix, StringComparison.Ordinal);
        var colon = path.LastIndexOf(':');
        if (at < 0 || colon < at)
        {
            return null;
        }
        return (path[(at + prefix.Length)..colon], path[(colon + 1)..]);
    }

    public static async Task WriteAsync(HttpResponse response, ScriptedReply reply, bool stream, bool sse, CancellationToken cancel)
    {
        response.Headers["x-goog-request-id"] = WireIds.Hex(16);
        response.Headers["server-timing"] = "gfet4t7; dur=42";
        var chunks = new List<JsonObject>();
        if (reply.Kind == AnswerKind.ToolCall)
        {
            chunks.Add(Chunk(reply, [new JsonObject { ["functionCall"] = new JsonObject { ["name"] = reply.Tool!.Name, ["args"] = reply.Arguments!.DeepClone() } }], final: true));
        }
        else
        {
            var pieces = stream ? [.. Sse.Pieces(reply.Text)] : new List<string> { reply.Text };
            for (var i = 0; i < pieces.Count; i++)
            {
                chunks.Add(Chunk(reply, [new JsonObject { ["text"] = pieces[i] }], final: i == pieces.Count - 1));
            }
        }
        if (!stream)
        {
            await Sse.JsonAsync(response, 200, chunks[^1], cancel);
            return;
        }
        if (sse)
        {
            await Sse.StartAsync(response, cancel);
            foreach (var chunk in chunks)
            {
                await Sse.EventAsync(response, null, chunk, cancel, Newline);
            }
            return;
        }
        // Without alt=sse the stream is one JSON array that grows element by element.
        response.StatusCode = 200;
        response.ContentType = "application/json; charset=UTF-8";
        await response.StartAsync(cancel);
        for (var i = 0; i < chunks.Count; i++)
        {
            var text = (i == 0 ? "[" : "," + Newline) + Sse.Serialize(chunks[i]) + (i == chunks.Count - 1 ? "]" : "");
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancel);
            await response.Body.FlushAsync(cancel);
        }
    }

    public static JsonObject CountTokens(int tokens) => new()
    {
        ["totalTokens"] = tokens,
        ["promptTokensDetails"] = new JsonArray(new JsonObject { ["modality"] = "TEXT", ["tokenCount"] = tokens }),
    };

    public static JsonObject Error(int code, string status, string message) => new()
    {
        ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status },
    };

    private static JsonObject Chunk(ScriptedReply reply, JsonArray parts, bool final)
    {
        var candidate = new JsonObject { ["content"] = new JsonObject { ["parts"] = parts, ["role"] = "model" } };
        if (final)
        {
            candidate["finishReason"] = "STOP";
        }
        candidate["index"] = 0;
        var usage = new JsonObject { ["promptTokenCount"] = reply.Usage.InputTokens };
        if (final)
        {
            usage["candidatesTokenCount"] = reply.Usage.OutputTokens;
        }
        usage["totalTokenCount"] = final ? reply.Usage.TotalTokens : reply.Usage.InputTokens;
        usage["promptTokensDetails"] = new JsonArray(new JsonObject { ["modality"] = "TEXT", ["tokenCount"] = reply.Usage.InputTokens });
        return new JsonObject
        {
            ["candidates"] = new JsonArray(candidate),
            ["usageMetadata"] = usage,
            ["modelVersion"] = reply.Model,
            ["responseId"] = reply.ResponseId,
        };
    }
}
