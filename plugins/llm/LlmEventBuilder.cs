using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.JsonNodes;
using AgentSight.Plugins.Llm.Apis;
using AgentSight.Plugins.Llm.WebSocket;

namespace AgentSight.Plugins.Llm;

/// <summary>
/// Builds the <c>llm</c> event's fields from an <c>http</c> event and, for a streamed call, its <c>sse</c> event; or
/// from a call made over a WebSocket (<see cref="SocketCall"/>).
/// </summary>
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
        target.Api.Tag(fields);
        if (requestBody is JsonObject body)
        {
            target.Api.MapRequest(target, body, path, fields, config);
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
            message = target.Api.Normalize(Json.Parse(Json.Str(response, "body")));
        }
        if (message is not null)
        {
            ResponseMapper.Map(target.Api, message, fields, config.IncludeOutput);
        }

        var host = Json.Str(request, "host");
        GenAiFields.Set(fields, "server.address", CallTarget.HostName(host) is { Length: > 0 } name ? name : null);
        // Captured from a TLS library, so HTTPS unless the host header says otherwise.
        GenAiFields.Set(fields, "server.port", CallTarget.Port(host) ?? (target.Provider == "ollama" ? null : 443));
        GenAiFields.Set(fields, "url.path", path.Length > 0 ? path : null);
        GenAiFields.Set(fields, "http.request.method", Json.Str(request, "method"));
        GenAiFields.Set(fields, "http.response.status_code", status);

        var errorType = ResponseMapper.ErrorType(message?["error"]);
        if (errorType is null && status >= 400)
        {
            errorType = status.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (errorType is null && Json.Str(message, "status") is "failed")
        {
            errorType = "failed";
        }
        GenAiFields.Set(fields, "error.type", errorType);

        fields["exchange_id"] = Json.Str(http, "exchange_id");
        fields["conn_id"] = Json.Str(http, "conn_id");
        GenAiFields.Set(fields, "request_id", RequestId(Json.Obj(response, "headers")));
        fields["streaming"] = streamed;
        // A stream that reached its end marker holds the whole answer even when the exchange itself was cut after it:
        // an HTTP/2 client resets the stream once it has read response.completed (Codex does), before the server's
        // END_STREAM arrives.
        var answeredInStream = Json.Str(sse, "end_reason") == "end_marker" && Json.Long(request, "end_ns") is not null
            && Json.Bool(request, "body_truncated") != true;
        var complete = (Json.Bool(http, "complete") == true || answeredInStream) && (!streamed || Json.Bool(sse, "complete") == true);
        fields["complete"] = complete;
        fields["truncated"] = Json.Bool(request, "body_truncated") == true || Json.Bool(response, "body_truncated") == true
            || Json.Bool(sse, "truncated") == true || (requestBody is null && Json.Long(request, "body_size") > 0);

        SetTimes(fields, Json.Long(request, "end_ns"), Json.Long(response, "end_ns"), Json.Long(sse, "first_event_ns"), Json.Long(sse, "first_content_ns"));
        return fields;
    }

    /// <summary>A call made over a WebSocket: the same fields, with <c>transport: websocket</c> and the upgrade's exchange as the link.</summary>
    public static JsonObject Build(SocketTarget target, SocketCall call, LlmAnalyzerConfig config)
    {
        var fields = new JsonObject
        {
            ["gen_ai.provider.name"] = target.Provider,
            ["gen_ai.operation.name"] = "chat",
            ["openai.api.type"] = target.Api == SocketApi.Responses ? "responses" : "realtime",
        };
        if (call.Body is { } body)
        {
            ModelApis.OpenAiResponses.MapRequest(new CallTarget(ModelApis.OpenAiResponses, target.Provider, "chat"), body, target.Path, fields, config);
            if (Json.Bool(body, "generate") == false)
            {
                // A warm-up (Codex sends one when a connection opens): the model reads the prompt and writes nothing.
                fields["openai.request.generate"] = false;
            }
        }
        GenAiFields.Set(fields, "gen_ai.request.model", Json.Str(fields, "gen_ai.request.model") ?? target.Model);
        var response = call.Response;
        if (response is not null && call.Items.Count > 0 && Json.Arr(response, "output") is not { Count: > 0 })
        {
            // The final event may leave the output out (it was streamed item by item): take the items as they ended.
            response = (JsonObject)response.DeepClone();
            response["output"] = new JsonArray([.. call.Items.Values.Select(i => i.DeepClone())]);
        }
        else if (response is null && call.Items.Count > 0)
        {
            response = new JsonObject { ["object"] = "response", ["id"] = call.ResponseId, ["output"] = new JsonArray([.. call.Items.Values.Select(i => i.DeepClone())]) };
        }
        var message = ModelApis.OpenAiResponses.Normalize(response);
        if (message is not null)
        {
            message["id"] ??= call.ResponseId;
            ResponseMapper.Map(ModelApis.OpenAiResponses, message, fields, config.IncludeOutput);
        }
        else
        {
            GenAiFields.Set(fields, "gen_ai.response.id", call.ResponseId);
        }
        GenAiFields.Set(fields, "server.address", CallTarget.HostName(target.Host) is { Length: > 0 } name ? name : null);
        GenAiFields.Set(fields, "server.port", CallTarget.Port(target.Host) ?? 443);
        GenAiFields.Set(fields, "url.path", target.Path);
        fields["transport"] = "websocket";
        var errorType = ResponseMapper.ErrorType(call.Error) ?? ResponseMapper.ErrorType(message?["error"]);
        if (errorType is null && Json.Str(message, "status") is "failed")
        {
            errorType = "failed";
        }
        GenAiFields.Set(fields, "error.type", errorType);
        fields["exchange_id"] = target.ExchangeId;
        fields["conn_id"] = target.ConnId;
        GenAiFields.Set(fields, "request_id", target.RequestId);
        fields["streaming"] = true;
        fields["complete"] = call.Complete && !call.Truncated;
        fields["truncated"] = call.Truncated;
        SetTimes(fields, call.AskedNs, call.EndNs, call.FirstEventNs, call.FirstContentNs);
        return fields;
    }

    /// <summary>
    /// Time zero is the end of the request (the call is issued once its last byte is written): to the answer's end, to
    /// its first event, to its first event carrying content. Each is left out when its times are not known.
    /// </summary>
    private static void SetTimes(JsonObject fields, long? askedNs, long? endNs, long? firstEventNs, long? firstContentNs)
    {
        if (askedNs is not { } asked)
        {
            return;
        }
        if (endNs is { } end)
        {
            fields["duration_ms"] = Milliseconds(end - asked);
        }
        if (firstEventNs is { } first)
        {
            fields["time_to_first_chunk_ms"] = Milliseconds(first - asked);
        }
        if (firstContentNs is { } content)
        {
            fields["time_to_first_token_ms"] = Milliseconds(content - asked);
        }
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
