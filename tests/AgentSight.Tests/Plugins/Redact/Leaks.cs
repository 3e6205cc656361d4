using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Plugins.Llm;
using AgentSight.Plugins.Redact;
using AgentSight.Plugins.Sse;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>
/// What someone reading the sinks' output could make of it: every string decoded (JSON and <c>\x</c> escapes, URL
/// escapes, <c>HEX:</c> data, several levels deep), and the pieces of one stream put back together: string values of
/// one name across the events of an <c>events</c> array, and across the <c>http_body</c> or <c>ssl</c> events of one
/// exchange or connection. A secret must not show in any of it.
/// </summary>
internal static partial class Leaks
{
    /// <summary>Fails when any <paramref name="window"/> characters of the secret past its public prefix can be read.</summary>
    public static void AssertNone(string secret, IEnumerable<AgentEvent> events, int prefix = 0, int window = 8)
    {
        var views = Views(events);
        for (var i = prefix; i + window <= secret.Length; i++)
        {
            var part = secret.Substring(i, window);
            foreach (var view in views)
            {
                if (view.Contains(part, StringComparison.Ordinal))
                {
                    Assert.Fail($"\"{part}\" (characters {i}..{i + window} of the secret {secret[..Math.Min(20, secret.Length)]}…) can be read in:\n{Excerpt(view, part)}");
                }
            }
        }
    }

    /// <summary>Every readable text of the events, as described on the class.</summary>
    public static List<string> Views(IEnumerable<AgentEvent> events)
    {
        var views = new List<string>();
        var streams = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        foreach (var evt in events)
        {
            var json = AgentEventJson.ToJson(evt);
            views.Add(Decode(json));
            var root = JsonNode.Parse(json)!;
            Walk(root, null, views);
            var data = root["data"];
            string? stream = evt.Source switch
            {
                "http_body" => "body " + (string?)data?["exchange_id"],
                "ssl" => $"ssl {evt.Pid} {data?["conn_id"]} {data?["tid"] ?? evt.Tid} {data?["function"]}",
                _ => null,
            };
            if (stream is not null && data?["data"] is JsonValue piece && piece.TryGetValue(out string? text))
            {
                if (!streams.TryGetValue(stream, out var builder))
                {
                    streams[stream] = builder = new StringBuilder();
                }
                builder.Append(Readable(text));
            }
        }
        foreach (var stream in streams.Values)
        {
            var text = stream.ToString();
            views.Add(Decode(text));
            views.AddRange(JoinedByName(text));
        }
        return views;
    }

    /// <summary>Text with every escape decoded, repeatedly (an escaped escape is decoded too).</summary>
    public static string Decode(string text)
    {
        for (var level = 0; level < 4; level++)
        {
            var decoded = Escapes().Replace(text, m => m.Value switch
            {
                ['\\', 'u', ..] or ['\\', 'x', ..] or ['%', ..] => ((char)int.Parse(m.Value.AsSpan(m.Value[0] == '%' ? 1 : 2), NumberStyles.HexNumber,
                    CultureInfo.InvariantCulture)).ToString(),
                "\\n" => "\n",
                "\\t" => "\t",
                "\\r" => "\r",
                "\\b" => "\b",
                "\\f" => "\f",
                _ => m.Value[1..],
            });
            if (decoded == text)
            {
                return text;
            }
            text = decoded;
        }
        return text;
    }

    private static void Walk(JsonNode? node, string? name, List<string> views)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    Walk(child, key, views);
                }
                break;
            case JsonArray array:
                if (array.Count >= 2 && array.All(e => e is JsonObject))
                {
                    // Pieces of a stream (events): each name's strings, joined in order.
                    var byName = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
                    foreach (var element in array)
                    {
                        Strings(element, null, byName);
                    }
                    foreach (var joined in byName.Values)
                    {
                        var text = joined.ToString();
                        views.Add(Decode(text));
                        views.AddRange(JoinedByName(text));
                    }
                }
                if (array.Count >= 2 && array.All(e => e is JsonValue v && v.TryGetValue(out string? _)))
                {
                    views.Add(Decode(string.Join(" ", array.Select(e => e!.GetValue<string>()))));
                }
                foreach (var element in array)
                {
                    Walk(element, name, views);
                }
                break;
            case JsonValue value when value.TryGetValue(out string? text):
                views.Add(Decode(Readable(text)));
                views.AddRange(JoinedByName(Readable(text)));
                break;
        }
    }

    private static void Strings(JsonNode? node, string? name, Dictionary<string, StringBuilder> byName)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    Strings(child, key, byName);
                }
                break;
            case JsonArray array:
                foreach (var element in array)
                {
                    Strings(element, name, byName);
                }
                break;
            case JsonValue value when name is not null && value.TryGetValue(out string? text):
                if (!byName.TryGetValue(name, out var builder))
                {
                    byName[name] = builder = new StringBuilder();
                }
                builder.Append(text);
                // JSON text inside a string (the original tool's sse_events[].data): its values by name too.
                foreach (Match pair in JsonPairs().Matches(text))
                {
                    var inner = "\u0001" + pair.Groups[1].Value;
                    if (!byName.TryGetValue(inner, out var innerBuilder))
                    {
                        byName[inner] = innerBuilder = new StringBuilder();
                    }
                    innerBuilder.Append(pair.Groups[2].Value);
                }
                break;
        }
    }

    /// <summary>The string values of JSON text in a stream (SSE data lines), joined by their key's name.</summary>
    private static IEnumerable<string> JoinedByName(string text)
    {
        var byName = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        foreach (Match pair in JsonPairs().Matches(text))
        {
            if (!byName.TryGetValue(pair.Groups[1].Value, out var builder))
            {
                byName[pair.Groups[1].Value] = builder = new StringBuilder();
            }
            builder.Append(pair.Groups[2].Value);
        }
        return byName.Values.Select(b => Decode(b.ToString()));
    }

    private static string Readable(string text) =>
        text.StartsWith("HEX:", StringComparison.Ordinal) ? Encoding.Latin1.GetString(TlsPayload.DecodeData(text)) : text;

    private static string Excerpt(string text, string part)
    {
        var at = text.IndexOf(part, StringComparison.Ordinal);
        var start = Math.Max(0, at - 200);
        return text[start..Math.Min(text.Length, at + 200)];
    }

    [GeneratedRegex(@"\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|%[0-9a-fA-F]{2}|\\[ntrbf/\\""']")]
    private static partial Regex Escapes();

    [GeneratedRegex(@"""([A-Za-z0-9_]+)""\s*:\s*""((?:[^""\\]|\\.)*)""")]
    private static partial Regex JsonPairs();
}

/// <summary>The analyzers of the default pipeline with <c>redact</c> last, in any of the configurations a user can choose.</summary>
internal static class RedactChain
{
    public static AnalyzerChain Run(IEnumerable<AgentEvent> events, HttpAnalyzerConfig? http = null, SseAnalyzerConfig? sse = null,
        bool withHttp = true, bool withSse = true, RedactConfig? redact = null)
    {
        var chain = new AnalyzerChain();
        if (withHttp)
        {
            chain.Add("http", ctx => new HttpAnalyzerFactory().Create(http ?? new HttpAnalyzerConfig(), ctx));
        }
        if (withSse)
        {
            chain.Add("sse", ctx => new SseAnalyzerFactory().Create(sse ?? new SseAnalyzerConfig(), ctx));
        }
        chain.Add("llm", ctx => new LlmAnalyzerFactory().Create(new LlmAnalyzerConfig(), ctx));
        chain.Add("redact", ctx => new RedactFactory().Create(redact ?? new RedactConfig(), ctx));
        return chain.Run(events);
    }
}
