using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.JsonNodes;

namespace AgentSight.Plugins.Llm.WebSocket;

/// <summary>The kind of model API a WebSocket connection speaks, known from its upgrade request's path.</summary>
internal enum SocketApi
{
    /// <summary>The Responses API over WebSocket (<c>GET /v1/responses</c>): <c>response.create</c> in, the streaming events out.</summary>
    Responses,

    /// <summary>The Realtime API (<c>GET /v1/realtime</c>): a session of conversation items and responses.</summary>
    Realtime,
}

/// <summary>A WebSocket connection that carries calls to a model, as its upgrade exchange described it.</summary>
internal sealed record SocketTarget(SocketApi Api, string Provider, string ExchangeId, string? ConnId, string? Host, string Path, string? Model, string? RequestId)
{
    /// <summary>
    /// The target of an <c>http</c> event that upgraded its connection to WebSocket on a model's path, or null when the
    /// exchange is anything else.
    /// </summary>
    public static SocketTarget? FromUpgrade(JsonObject http)
    {
        var request = Json.Obj(http, "request");
        var response = Json.Obj(http, "response");
        if (Json.Long(response, "status") != 101 || Json.Str(request, "method") != "GET"
            || Json.Str(http, "exchange_id") is not { } exchange
            || Json.Str(Json.Obj(request, "headers"), "upgrade") is not { } upgrade
            || !upgrade.Contains("websocket", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var target = Json.Str(request, "path") ?? "";
        var path = CallTarget.PathOf(target);
        SocketApi? api = path.EndsWith("/responses", StringComparison.Ordinal) ? SocketApi.Responses
            : path.EndsWith("/realtime", StringComparison.Ordinal) ? SocketApi.Realtime
            : null;
        if (api is null)
        {
            return null;
        }
        var host = Json.Str(request, "host");
        var requestId = Json.Str(Json.Obj(response, "headers"), "x-request-id") ?? Json.Str(Json.Obj(response, "headers"), "request-id");
        return new SocketTarget(api.Value, CallTarget.OpenAiCompatible(CallTarget.HostName(host), host), exchange, Json.Str(http, "conn_id"), host, path,
            QueryValue(target, "model") ?? QueryValue(target, "deployment"), requestId);
    }

    /// <summary>A query parameter's value, percent-decoded, or null.</summary>
    private static string? QueryValue(string target, string name)
    {
        var query = target.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return null;
        }
        foreach (var pair in target[(query + 1)..].Split('&'))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair.AsSpan(0, equals).SequenceEqual(name))
            {
                try
                {
                    return Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
                }
                catch (UriFormatException)
                {
                    return null;
                }
            }
        }
        return null;
    }
}
