using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AgentSight.Tests.Agents;

/// <summary>Writes server-sent events, one flush per event, as the providers stream them.</summary>
internal static class Sse
{
    /// <summary>Compact JSON without HTML escaping, as the providers write it.</summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = false };

    public static string Serialize(JsonNode node) => node.ToJsonString(Json);

    public static async Task StartAsync(HttpResponse response, CancellationToken cancel)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(cancel);
    }

    /// <summary>One event: an optional <c>event:</c> line, one <c>data:</c> line, a blank line.</summary>
    public static Task EventAsync(HttpResponse response, string? name, JsonNode data, CancellationToken cancel, string newline = "\n") =>
        RawAsync(response, name, Serialize(data), cancel, newline);

    public static async Task RawAsync(HttpResponse response, string? name, string data, CancellationToken cancel, string newline = "\n")
    {
        var text = new StringBuilder();
        if (name is not null)
        {
            text.Append("event: ").Append(name).Append(newline);
        }
        text.Append("data: ").Append(data).Append(newline).Append(newline);
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancel);
        await response.Body.FlushAsync(cancel);
    }

    /// <summary>A whole JSON answer with a Content-Length.</summary>
    public static async Task JsonAsync(HttpResponse response, int status, JsonNode body, CancellationToken cancel)
    {
        var bytes = Encoding.UTF8.GetBytes(Serialize(body));
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, cancel);
    }

    /// <summary>Cuts a text into a few pieces, as a model streams it.</summary>
    public static IEnumerable<string> Pieces(string text, int count = 3)
    {
        if (text.Length == 0)
        {
            yield break;
        }
        var size = Math.Max(1, (text.Length + count - 1) / count);
        for (var start = 0; start < text.Length; start += size)
        {
            yield return text.Substring(start, Math.Min(size, text.Length - start));
        }
    }
}
