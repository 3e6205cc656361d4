using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Llm;

/// <summary>Builds the <c>llm</c> event's fields from an <c>http</c> event and, for a streamed call, its <c>sse</c> event.</summary>
internal static class LlmEventBuilder
{
    private static readonly string[] RequestIdHeaders = ["request-id", "x-request-id", "x-generation-id", "x-goog-request-id", "apim-request-id"];

    public static JsonObject Build(CallTarget target, JsonObject http, JsonNode? requestBody, JsonObject? sse, LlmAnalyzerConfig config)
    {
        var request = Json.Obj(http, "request");
        var response = Json.Obj(http, "response");
        var target0 = Json.Str(request, "path") ?? "";
        var path = CallTarget.PathOf(target0);
        var fields = new JsonObject
        {
            ["gen_ai.provider.name"] = target.Provider,
            ["gen_ai.operation.name"] = target.Operation,
        };
        if (target.Api is ApiKind.OpenAiChat or ApiKind.OpenAiResponses)
        {
            fields["openai.api.type"] = target.Api == ApiKind.OpenAiChat ? "chat_completions" : "responses";
        }
        if (requestBody is JsonObject body)
        {
            RequestMapper.Map(target, body, path, fields, config);
        }

        var status = (int?)Json.Long(response, "status");
        var streamed = Json.Bool(response, "streamed") == true;
        JsonObject? message = null;
        if (sse is not null)
        {
            message = Json.Obj(sse, "message");
        }
        else if (response is not null && !streamed)
        {
            message = ResponseNormalizer.Normalize(target.Api, Json.Parse(Json.Str(response, "body")));
        }
        if (message is not null)
        {
            ResponseMapper.Map(target.Api, message, fields, config.IncludeOutput);
        }

        var host = Json.Str(request, "host");
        RequestMapper.Set(fields, "server.address", CallTarget.HostName(host) is { Length: > 0 } name ? name : null);
        // Captured from a TLS library, so HTTPS unless the host header says otherwise.
        RequestMapper.Set(fields, "server.port", CallTarget.Port(host) ?? (target.Provider == "ollama" ? null : 443));
        RequestMapper.Set(fields, "url.path", path.Length > 0 ? path : null);
        RequestMapper.Set(fields, "http.request.method", Json.Str(request, "method"));
        RequestMapper.Set(fields, "http.response.status_code", status);

        var errorType = ResponseMapper.ErrorType(message?["error"]);
        if (errorType is null && status >= 400)
        {
            errorType = status.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (errorType is null && Json.Str(message, "status") is "failed")
        {
            errorType = "failed";
        }
        RequestMapper.Set(fields, "error.type", errorType);

        fields["exchange_id"] = Json.Str(http, "exchange_id");
        fields["conn_id"] = Json.Str(http, "conn_id");
        RequestMapper.Set(fields, "request_id", RequestId(Json.Obj(response, "headers")));
        fields["streaming"] = streamed;
        var complete = Json.Bool(http, "complete") == true && (!streamed || Json.Bool(sse, "complete") == true);
        fields["complete"] = complete;
        fields["truncated"] = Json.Bool(request, "body_truncated") == true || Json.Bool(response, "body_truncated") == true
            || Json.Bool(sse, "truncated") == true || (requestBody is null && Json.Long(request, "body_size") > 0);

        // Time zero is the end of the request: the call is issued once its last byte is written.
        var requestEnd = Json.Long(request, "end_ns");
        var responseEnd = Json.Long(response, "end_ns");
        if (requestEnd is not null && responseEnd is not null)
        {
            fields["duration_ms"] = Milliseconds(responseEnd.Value - requestEnd.Value);
        }
        if (requestEnd is not null && Json.Long(sse, "first_event_ns") is { } firstEvent)
        {
            fields["time_to_first_chunk_ms"] = Milliseconds(firstEvent - requestEnd.Value);
        }
        if (requestEnd is not null && Json.Long(sse, "first_content_ns") is { } firstContent)
        {
            fields["time_to_first_token_ms"] = Milliseconds(firstContent - requestEnd.Value);
        }
        return fields;
    }

    private static string? RequestId(JsonObject? headers)
    {
        foreach (var name in RequestIdHeaders)
        {
            if (Json.Str(headers, name) is { } id)
            {
                return id;
            }
        }
        return null;
    }

    private static double Milliseconds(long ns) => Math.Round(ns / 1_000_000.0, 3);
}
