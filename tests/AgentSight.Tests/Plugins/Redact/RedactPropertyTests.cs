using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Plugins.Sse;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;
using CsCheck;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>
/// Random secrets of every shape and form, in random contexts (JSON bodies, URLs, argv, YAML, .env, a streamed
/// answer), with random escapes around and inside them, cut into random reads, through the real analyzer chain in
/// every configuration a user can choose: no sink output lets any of them be read.
/// </summary>
public sealed class RedactPropertyTests
{
    private static readonly string[] Contexts = ["json-body", "url", "argv", "yaml-in-json", "env-in-json", "stream", "raw-file"];

    private static readonly string[] Setups = ["default", "keep_raw", "include_events", "sse_disabled", "http_disabled"];

    [Fact]
    public void No_secret_of_any_shape_in_any_context_with_any_escapes_and_splits_reaches_a_sink()
    {
        var kinds = SecretCorpus.Shapes.Count + SecretCorpus.Forms.Count;
        Gen.Select(Gen.Int[0, kinds - 1], Gen.Int[0, Contexts.Length - 1], Gen.Int[0, Setups.Length - 1], Gen.Int).Sample((kind, context, setup, seed) =>
        {
            var random = new Random(seed);
            var (secret, prefix, text, allowed) = Plant(kind, random);
            var events = Traffic(allowed[context % allowed.Length], secret, text, random);
            events = Resplit.Of(events, random);

            var output = Run(Setups[setup], events);

            Leaks.AssertNone(secret, output, prefix);
        }, iter: 600, threads: 1);
    }

    internal static (string Secret, List<AgentEvent> Output) Debug(int kind, int context, int setup, int seed)
    {
        var random = new Random(seed);
        var (secret, prefix, text, allowed) = Plant(kind, random);
        var events = Traffic(allowed[context % allowed.Length], secret, text, random);
        events = Resplit.Of(events, random);
        return (secret, Run(Setups[setup], events));
    }

    /// <summary>
    /// A secret, the text that holds it (a key on its own, or a form around a password), and the contexts where
    /// such text occurs: a key anywhere; a form where its kind of text goes (a command line in argv, a URL in a
    /// query, a configuration file as a file), always on a line of its own.
    /// </summary>
    private static (string Secret, int Prefix, string Text, string[] Contexts) Plant(int kind, Random random)
    {
        if (kind < SecretCorpus.Shapes.Count)
        {
            var shape = SecretCorpus.Shapes[kind];
            var key = shape.Make(random);
            return (key, shape.Prefix.Length, key, Contexts);
        }
        var form = SecretCorpus.Forms[kind - SecretCorpus.Shapes.Count];
        var password = form.Secret(random, random.Next(12, 40));
        string[] contexts = form.Kind switch
        {
            "command" => ["json-body", "stream", "raw-file", "argv"],
            "url" => ["json-body", "stream", "raw-file", "argv", "url"],
            "file" => ["json-body", "stream", "raw-file", "yaml-in-json", "env-in-json"],
            _ => ["json-body", "stream", "raw-file"],
        };
        return (password, 0, form.With(password), contexts);
    }

    private static List<AgentEvent> Traffic(string context, string secret, string text, Random random)
    {
        var wire = new Wire();
        switch (context)
        {
            case "json-body":
            {
                var content = Escape(JsonEncoded(text), secret, random, json: true);
                var (before, after) = text == secret ? (Separator(random), Separator(random)) : (NewLine(random), NewLine(random));
                var body = $"{{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{{\"role\":\"user\",\"content\":\"look:{before}{content}{after}ok\"}}]}}";
                return wire.Write(Wire.Request(body)).Read(Wire.Response(AnswerJson("fine"))).Events;
            }
            case "url":
            {
                var encoded = Escape(Uri.EscapeDataString(text), secret, random, json: false);
                var path = $"/v1/search?q={(random.Next(2) == 0 ? "%20" : "x%0A")}{encoded}&page=2";
                var body = $"{{\"url\":\"https://example.com{path}\"}}";
                return wire.Write(Wire.Request(body, path, "example.com")).Read(Wire.Response("{\"ok\":true}")).Events;
            }
            case "argv":
            {
                var words = text.Split(' ');
                var argv = new JsonArray([.. words.Prepend("run").Select(w => (JsonNode)JsonValue.Create(w)!)]);
                var events = wire.Write(Wire.Request(AskJson("run it"))).Read(Wire.Response(AnswerJson("done"))).Events;
                events.Add(Some.JsonEvent(EventSources.Process, new JsonObject { ["event"] = "EXEC", ["argv"] = argv, ["filename"] = "/usr/bin/run" },
                    timestamp: wire.Now + 1));
                return events;
            }
            case "yaml-in-json":
            {
                var file = text.Contains('\n', StringComparison.Ordinal) ? text : $"service:\n  name: api\n  api_key: {text}\n";
                var content = Escape(JsonEncoded(file), secret, random, json: true);
                var body = $"{{\"model\":\"m\",\"messages\":[{{\"role\":\"user\",\"content\":[{{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"{content}\"}}]}}]}}";
                return wire.Write(Wire.Request(body)).Read(Wire.Response(AnswerJson("read"))).Events;
            }
            case "env-in-json":
            {
                var file = text.Contains('\n', StringComparison.Ordinal) ? text : $"DEBUG=1\nSERVICE_TOKEN={text}\nPORT=8080\n";
                var content = Escape(JsonEncoded(file), secret, random, json: true);
                var body = $"{{\"model\":\"m\",\"input\":[{{\"role\":\"user\",\"content\":\"{content}\"}}]}}";
                return wire.Write(Wire.Request(body, "/v1/responses", "api.openai.com")).Read(Wire.Response(AnswerJson("ok"))).Events;
            }
            case "stream":
            {
                var pieces = new List<string>();
                var answer = text == secret ? $"Sure: {text} done" : $"Sure:\n{text}\ndone";
                for (var i = 0; i < answer.Length;)
                {
                    var length = Math.Min(answer.Length - i, random.Next(1, 7));
                    pieces.Add(answer.Substring(i, length));
                    i += length;
                }
                wire.Write(Wire.Request("{\"model\":\"gpt-5\",\"stream\":true,\"messages\":[]}", "/v1/chat/completions", "api.openai.com"))
                    .Read(Wire.StreamHead());
                foreach (var piece in pieces)
                {
                    var content = Escape(JsonEncoded(piece), secret, random, json: true);
                    wire.Read(Wire.Chunk($"data: {{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-5\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{content}\"}},\"finish_reason\":null}}]}}\n\n"));
                }
                wire.Read(Wire.Chunk("data: [DONE]\n\n")).Read(Wire.LastChunk);
                return wire.Events;
            }
            default:
            {
                // A file's content written as it is (a tool writing it, or cat's output over a TLS shell).
                wire.Write("PUT /files/config HTTP/1.1\r\nhost: example.com\r\ncontent-type: text/plain\r\ncontent-length: " +
                    Encoding.UTF8.GetByteCount(text + "\n") + "\r\n\r\n" + text + "\n");
                return wire.Read(Wire.Response("{}")).Events;
            }
        }
    }

    private static List<AgentEvent> Run(string setup, List<AgentEvent> events) => (setup switch
    {
        "keep_raw" => RedactChain.Run(events, http: new HttpAnalyzerConfig { KeepRaw = true }),
        "include_events" => RedactChain.Run(events, sse: new SseAnalyzerConfig { IncludeEvents = true, KeepChunks = true }),
        "sse_disabled" => RedactChain.Run(events, withSse: false),
        "http_disabled" => RedactChain.Run(events, withHttp: false, withSse: false),
        _ => RedactChain.Run(events),
    }).Output;

    /// <summary>JSON string content (without the quotes).</summary>
    private static string JsonEncoded(string text) => JsonSerializer.Serialize(text)[1..^1];

    /// <summary>Some characters of the secret inside <paramref name="text"/> written as escapes: <c>\u00XX</c> in JSON, <c>%XX</c> in a URL.</summary>
    private static string Escape(string text, string secret, Random random, bool json)
    {
        var at = text.IndexOf(json ? JsonEncoded(secret) : Uri.EscapeDataString(secret), StringComparison.Ordinal);
        if (at < 0 || random.Next(3) == 0)
        {
            return text;
        }
        var builder = new StringBuilder(text[..at]);
        var end = at + (json ? JsonEncoded(secret) : Uri.EscapeDataString(secret)).Length;
        for (var i = at; i < end; i++)
        {
            var c = text[i];
            if (char.IsAsciiLetterOrDigit(c) && random.Next(5) == 0)
            {
                builder.Append(json ? "\\u" + ((int)c).ToString(random.Next(2) == 0 ? "x4" : "X4", CultureInfo.InvariantCulture)
                    : "%" + ((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.Append(text[end..]).ToString();
    }

    private static string Separator(Random random) => random.Next(6) switch
    {
        0 => "\\n",
        1 => "\\t",
        2 => "\\r\\n",
        3 => "\\u0020",
        4 => "\\\"",
        _ => " ",
    };

    private static string NewLine(Random random) => random.Next(2) == 0 ? "\\n" : "\\r\\n";

    private static string AskJson(string text) => $"{{\"model\":\"m\",\"messages\":[{{\"role\":\"user\",\"content\":{JsonSerializer.Serialize(text)}}}]}}";

    private static string AnswerJson(string text) =>
        $"{{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[{{\"type\":\"text\",\"text\":{JsonSerializer.Serialize(text)}}}],\"stop_reason\":\"end_turn\",\"usage\":{{\"input_tokens\":1,\"output_tokens\":1}}}}";
}
