using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Redact;
using AgentSight.Tests.Support;
using CsCheck;
using static AgentSight.Tests.Analyzers.Redact.RedactHarness;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>Random bytes, invalid UTF-8, hostile strings and huge inputs: never a crash, never a lost event.</summary>
public sealed class RedactRobustnessTests
{
    /// <summary>Bytes that are mostly trigger material, so the rules' checks run on every kind of garbage after them.</summary>
    private static readonly Gen<byte[]> Hostile = Gen.OneOf(
        Gen.Byte.Array[0, 2048],
        Gen.OneOf("sk-", "sk-ant-", "AIza", "Bearer ", "Basic ", "eyJ", "-----BEGIN ", "PRIVATE KEY-----", "-----END ", "key=", "token\"",
                "\"api_key\":", "x-api-key:", "\r\n", "\n", "\"", "\\\"", "\\", "=", ":", " ", "a", "Z9", "\u00e9", "\uffff")
            .Array[0, 60].Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts))));

    [Fact]
    public void Random_and_hostile_bytes_in_random_reads_never_throw_nor_lose_a_read()
    {
        Gen.Select(Hostile, Gen.Int[1, 6]).Sample((bytes, pieces) =>
        {
            var events = Enumerable.Range(0, pieces)
                .Select(i => Some.SslEvent(bytes[(bytes.Length * i / pieces)..(bytes.Length * (i + 1) / pieces)]))
                .ToArray();

            var output = Run(events);

            Assert.Equal(events.Length, output.Count);
        }, iter: 2000);
    }

    [Fact]
    public void Invalid_utf8_and_random_strings_in_json_payloads_never_throw()
    {
        Gen.Select(Hostile, Gen.String).Sample((bytes, text) =>
        {
            var evt = Some.JsonEvent("http", new JsonObject
            {
                ["request"] = new JsonObject
                {
                    ["headers"] = new JsonObject { ["authorization"] = text, ["x"] = Encoding.UTF8.GetString(bytes) },
                    ["body"] = TlsPayload.FormatData(bytes),
                    ["path"] = "/?" + text,
                },
                ["api_key"] = 12345,
                [text.Length > 0 ? text : "k"] = new JsonArray(text, Encoding.Latin1.GetString(bytes), null, 1.5, true),
            });

            var output = Run(evt);

            Assert.Same(evt, Assert.Single(output));
        }, iter: 2000);
    }

    [Fact]
    public void A_secret_planted_at_a_random_place_in_random_reads_never_shows()
    {
        Gen.Select(Gen.Byte.Array[0, 1500], Gen.Int[0, 1500], Gen.Int[1, 5], Gen.Int[0, 3]).Sample((noise, position, pieces, which) =>
        {
            var secret = new[] { Secrets.Anthropic, Secrets.OpenAi, Secrets.Google, Secrets.GitHub }[which];
            var at = Math.Min(position, noise.Length);
            // A space on each side: random bytes right before or after could otherwise extend the token.
            byte[] bytes = [.. noise[..at], (byte)' ', .. Encoding.ASCII.GetBytes(secret), (byte)' ', .. noise[at..]];
            var events = Enumerable.Range(0, pieces)
                .Select(i => Some.SslEvent(bytes[(bytes.Length * i / pieces)..(bytes.Length * (i + 1) / pieces)]))
                .ToArray();

            var output = Run(events);

            AssertNoPartOf(secret, string.Concat(output.Select(Text)), Secrets.PrefixOf(secret));
        }, iter: 1000);
    }

    [Fact]
    public void A_huge_read_is_redacted_in_linear_time()
    {
        var text = new StringBuilder();
        var random = new Random(11);
        while (text.Length < 16_000_000)
        {
            text.Append("data: {\"delta\":{\"text\":\"").Append(random.Next()).Append(" tokens and keys and Bearer words\"}}\n\n");
        }
        text.Append("x-api-key: ").Append(Secrets.Anthropic).Append("\r\n");
        var started = Stopwatch.StartNew();

        var output = Run(Raw(text.ToString()));

        Assert.DoesNotContain(Secrets.Anthropic[20..40], Text(Assert.Single(output)), StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"16 MB took {started.Elapsed}");
    }

    [Fact]
    public void A_huge_string_of_triggers_is_still_linear()
    {
        var text = string.Concat(Enumerable.Repeat("sk-a key=\"token\":Bearer eyJx.", 400_000));
        var started = Stopwatch.StartNew();

        var output = Run(Some.JsonEvent("llm", new JsonObject { ["text"] = text }));

        Assert.Single(output);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20), $"{text.Length} characters took {started.Elapsed}");
    }

    [Fact]
    public void Json_nested_too_deep_to_walk_safely_is_refused_so_the_host_drops_it()
    {
        var root = new JsonObject();
        var node = root;
        for (var i = 0; i < 5_000; i++)
        {
            var child = new JsonObject();
            node["d"] = child;
            node = child;
        }
        node["api_key"] = Secrets.Password;
        var redactor = new RedactFactory().Create(new RedactConfig(), new TestStageContext());

        Assert.Throws<InvalidOperationException>(() => redactor.Process(Some.JsonEvent("x", root), new CapturingOutput()));
    }
}
