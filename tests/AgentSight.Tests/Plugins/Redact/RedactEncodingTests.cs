using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Http;
using AgentSight.Plugins.Redact;
using AgentSight.Tests.Analyzers.Support;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.Redact.RedactHarness;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>
/// Secrets written with escapes around or inside them (a JSON <c>\n</c> or <c>\u0073</c>, a URL's <c>%20</c>) are found
/// like plain ones: in bodies, raw bytes, argv, paths and every other string.
/// </summary>
public sealed class RedactEncodingTests
{
    public static TheoryData<string> ShapeNames => [.. SecretCorpus.Shapes.Select(s => s.Name)];

    private static (string Key, int Prefix) Key(string shapeName)
    {
        var index = SecretCorpus.Shapes.ToList().FindIndex(s => s.Name == shapeName);
        var shape = SecretCorpus.Shapes[index];
        return (shape.Make(new Random(1000 + index)), shape.Prefix.Length);
    }

    /// <summary>
    /// The key as JSON or a URL may carry it: after an escaped newline, tab or space, or with an escaped letter (the
    /// contexts put a separator before it: an escaped first letter right after a letter would not be a key's start).
    /// </summary>
    private static IEnumerable<string> Escaped(string key) =>
    [
        "\\n" + key,
        "\\t" + key,
        "\\r\\n" + key,
        "%20" + key,
        "%0A" + key,
        "\\u" + ((int)key[0]).ToString("x4", CultureInfo.InvariantCulture) + key[1..],
        key[..2] + "\\u" + ((int)key[2]).ToString("X4", CultureInfo.InvariantCulture) + key[3..],
        key[..^6] + "%" + ((int)key[^6]).ToString("X2", CultureInfo.InvariantCulture) + key[^5..],
        "\\\\n" + key,
        "\\\\u" + ((int)key[0]).ToString("x4", CultureInfo.InvariantCulture) + key[1..],
    ];

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void A_key_after_or_with_an_escape_is_replaced_in_http_request_and_response_bodies(string shapeName)
    {
        var (key, prefix) = Key(shapeName);
        foreach (var written in Escaped(key))
        {
            var request = $"{{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"messages\":[{{\"role\":\"user\",\"content\":\"deploy with {written} please\"}}]}}";
            var response = $"{{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[{{\"type\":\"text\",\"text\":\"noted: {written}\"}}],\"stop_reason\":\"end_turn\",\"usage\":{{\"input_tokens\":1,\"output_tokens\":1}}}}";
            var wire = new Wire().Write(Wire.Request(request)).Read(Wire.Response(response));

            var chain = RedactChain.Run(wire.Events);

            Assert.Single(chain.OfSource("http"));
            Leaks.AssertNone(key, chain.Output, prefix);
        }
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void A_key_after_or_with_an_escape_is_replaced_in_raw_reads_cut_anywhere(string shapeName)
    {
        var (key, prefix) = Key(shapeName);
        foreach (var written in Escaped(key))
        {
            var text = $"POST /v1/messages HTTP/1.1\r\nhost: api.anthropic.com\r\n\r\n{{\"messages\":[{{\"content\":\"key: {written} ok\"}}]}}";
            var at = text.IndexOf(written, StringComparison.Ordinal);
            foreach (var cut in new[] { 0, at + 1, at + 3, at + written.Length / 2 })
            {
                var events = cut == 0 ? [Raw(text)] : new[] { Raw(text[..cut]), Raw(text[cut..], timestamp: Some.Epoch + 1_000_000) };

                var output = Run(events);

                Leaks.AssertNone(key, output, prefix);
            }
        }
    }

    /// <summary>
    /// A read that ends inside an escape (<c>%5</c> | <c>9…</c>, <c>\u00</c> | <c>59…</c>) in the middle of a key: the
    /// key does not end at the <c>%</c> or <c>\</c>, also when the read goes out before the next one comes
    /// (<c>hold_ms: 0</c>, or its wait over).
    /// </summary>
    [Theory]
    [InlineData(200, false)]
    [InlineData(200, true)]
    [InlineData(0, false)]
    [InlineData(0, true)]
    public void A_key_with_an_escape_cut_by_a_read_boundary_is_replaced_on_both_sides(int holdMs, bool json)
    {
        foreach (var shape in SecretCorpus.Shapes)
        {
            var key = shape.Make(new Random(shape.Name.Length));
            var middle = key.Length / 2;
            var escape = json ? "\\u" + ((int)key[middle]).ToString("x4", CultureInfo.InvariantCulture) : "%" + ((int)key[middle]).ToString("X2", CultureInfo.InvariantCulture);
            var written = key[..middle] + escape + key[(middle + 1)..];
            var text = json
                ? $"POST /v1/messages HTTP/1.1\r\nhost: api.anthropic.com\r\n\r\n{{\"messages\":[{{\"content\":\"key:\\n{written} ok\"}}]}}"
                : $"GET /v1/search?q=%20{written}&page=2 HTTP/1.1\r\nhost: example.com\r\n\r\n";
            var at = text.IndexOf(escape, StringComparison.Ordinal);
            for (var cut = at + 1; cut < at + escape.Length; cut++)
            {
                var output = Run(new RedactConfig { HoldMs = holdMs }, Raw(text[..cut]), Raw(text[cut..], timestamp: Some.Epoch + 1_000_000));

                Leaks.AssertNone(key, output, shape.Prefix.Length);
            }
        }
    }

    /// <summary>
    /// A percent-encoded URL with a password (a search for a connection string) cut anywhere from its scheme to the
    /// password: what announces the password (<c>%3A%2F%2F</c>, the user name) is in one read, the password in the
    /// next, also when the first goes out alone.
    /// </summary>
    [Theory]
    [InlineData(200)]
    [InlineData(0)]
    public void An_encoded_url_cut_before_its_password_has_the_password_replaced_in_the_next_read(int holdMs)
    {
        const string password = "pqM5ah-Fj1wUU9qAiI6EB4";
        var url = Uri.EscapeDataString($"postgresql://app:{password}@db.internal:5432/app");
        var text = $"GET /v1/search?q=%20{url}&page=2 HTTP/1.1\r\nhost: example.com\r\n\r\n";
        var from = text.IndexOf("postgresql", StringComparison.Ordinal);
        var to = text.IndexOf(password, StringComparison.Ordinal);
        for (var cut = from + 1; cut <= to; cut++)
        {
            var output = Run(new RedactConfig { HoldMs = holdMs }, Raw(text[..cut]), Raw(text[cut..], timestamp: Some.Epoch + 1_000_000));

            Leaks.AssertNone(password, output);
        }
    }

    [Theory]
    [MemberData(nameof(ShapeNames))]
    public void A_key_after_or_with_an_escape_is_replaced_in_argv_paths_and_any_string(string shapeName)
    {
        var (key, prefix) = Key(shapeName);
        foreach (var written in Escaped(key))
        {
            var exec = Some.JsonEvent(EventSources.Process, new JsonObject
            {
                ["event"] = "EXEC",
                ["filename"] = "/usr/bin/curl",
                ["argv"] = new JsonArray("curl", "-d", $"{{\"q\":\"x {written}\"}}", $"https://example.com/search?q=x+{written}"),
            });
            var open = Some.JsonEvent(EventSources.Process, new JsonObject { ["event"] = "FILE_OPEN", ["filepath"] = $"/tmp/cache/{written}/state.json" });
            var body = Some.JsonEvent("http_body", new JsonObject
            {
                ["data"] = TlsPayload.FormatData([0xff, .. Encoding.ASCII.GetBytes($"{{\"k\":\"v {written}\"}}"), 0x00]),
                ["content_type"] = "application/grpc",
            });

            var output = Run(exec, open, body);

            Leaks.AssertNone(key, output, prefix);
        }
    }

    [Fact]
    public void The_marker_takes_the_place_of_the_key_and_leaves_the_escape_before_it()
    {
        var key = Secrets.Anthropic;

        Assert.Equal("{\"content\":\"a\\n[REDACTED:anthropic-api-key] b\"}", RedactText($"{{\"content\":\"a\\n{key} b\"}}"));
        Assert.Equal("q=%20[REDACTED:anthropic-api-key]&x=1", RedactText($"q=%20{key}&x=1"));
        Assert.Equal("{\"content\":\"a [REDACTED:anthropic-api-key] b\"}", RedactText($"{{\"content\":\"a \\u0073{key[1..]} b\"}}"));
    }

    [Fact]
    public void Escaped_text_without_secrets_is_left_as_it_was()
    {
        foreach (var text in new[]
        {
            "{\"content\":\"line one\\nline two\\tand a \\\"quote\\\" \\u00e9t\\u00e9 100% done, 50%20off\"}",
            "/search?q=caf%C3%A9&page=2",
            "C:\\\\Users\\\\nobody\\\\task-list.txt",
            "print(\"\\x41\\x42\")",
        })
        {
            Assert.Equal(text, RedactText(text));
        }
    }

    private static string RedactText(string text)
    {
        var evt = Some.JsonEvent("http", new JsonObject { ["body"] = text });
        Run(evt);
        return evt.Fields!["body"]!.GetValue<string>();
    }

    [Fact]
    public void The_llm_event_was_clean_and_now_the_http_event_with_the_escaped_body_is_too()
    {
        var key = Secrets.OpenAi;
        var request = $"{{\"model\":\"gpt-5\",\"messages\":[{{\"role\":\"user\",\"content\":\"use\\n{key}\"}}]}}";
        var wire = new Wire().Write(Wire.Request(request, "/v1/chat/completions", "api.openai.com"))
            .Read(Wire.Response("{\"id\":\"c\",\"object\":\"chat.completion\",\"model\":\"gpt-5\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}"));

        var chain = RedactChain.Run(wire.Events, new HttpAnalyzerConfig());

        Assert.Single(chain.OfSource("llm"));
        Leaks.AssertNone(key, chain.Output, Secrets.PrefixOf(key));
    }
}
