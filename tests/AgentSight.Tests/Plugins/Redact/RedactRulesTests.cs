using System.Text.Json.Nodes;
using AgentSight.Plugins.Redact;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.Redact.RedactHarness;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>Each rule on its own, what it must leave alone, and what the configuration changes.</summary>
public sealed class RedactRulesTests
{
    private static readonly System.Text.Json.JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };

    private static string RedactText(string text, RedactConfig? config = null)
    {
        var evt = Some.JsonEvent("llm", new JsonObject { ["text"] = text });
        Run(config ?? new RedactConfig(), evt);
        return evt.Fields!["text"]!.GetValue<string>();
    }

    [Theory]
    [InlineData(Secrets.Anthropic, "anthropic-api-key")]
    [InlineData("sk-ant-oat01-Aq3Ws5Ed7Rf9Tg1Yh3Uj5Ik7Ol9Pz2Xc4Vb6Nm8", "anthropic-api-key")]
    [InlineData(Secrets.OpenAi, "openai-api-key")]
    [InlineData("sk-svcacct-Aq3Ws5Ed7Rf9Tg1Yh3Uj5Ik7Ol9Pz2Xc4Vb6Nm8", "openai-api-key")]
    [InlineData("sk-Aq3Ws5Ed7Rf9Tg1Yh3Uj5Ik7Ol9Pz2Xc4Vb6Nm8Qw1Er3Ty5", "openai-api-key")]
    [InlineData("sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "openrouter-api-key")]
    [InlineData(Secrets.Google, "google-api-key")]
    [InlineData(Secrets.Aws, "aws-access-key")]
    [InlineData(Secrets.GitHub, "github-token")]
    [InlineData("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789", "github-token")]
    [InlineData("glpat-Aq3Ws5Ed7Rf9Tg1Yh3Uj", "gitlab-token")]
    [InlineData(Secrets.Slack, "slack-token")]
    [InlineData(Secrets.Stripe, "stripe-key")]
    [InlineData("hf_Aq3Ws5Ed7Rf9Tg1Yh3Uj5Ik7Ol9Pz2Xc4V", "huggingface-token")]
    [InlineData("npm_Aq3Ws5Ed7Rf9Tg1Yh3Uj5Ik7Ol9Pz2Xc4Vb6", "npm-token")]
    [InlineData("gsk_Aq3Ws5Ed7Rf9Tg1Yh3Uj5Ik7Ol9Pz2Xc4Vb6Nm8Qw1Er", "groq-api-key")]
    [InlineData("xai-Aq3Ws5Ed7Rf9Tg1Yh3Uj5Ik7Ol9Pz2Xc4Vb6Nm8Qw1Er3Ty5Ui7Op9", "xai-api-key")]
    [InlineData(Secrets.Jwt, "jwt")]
    public void Each_provider_key_format_is_recognised_in_plain_text(string secret, string rule)
    {
        Assert.Equal($"see ([REDACTED:{rule}]) here", RedactText($"see ({secret}) here"));
    }

    [Theory]
    [InlineData("curl -H 'Authorization: Bearer abc123def456ghi789' https://x", "curl -H 'Authorization: Bearer [REDACTED:header]' https://x")]
    [InlineData("token is Bearer abc123def456ghi789.", "token is Bearer [REDACTED:bearer-token].")]
    [InlineData("use Basic dXNlcjpzM2NyZXQ= to log in", "use Basic [REDACTED:basic-auth] to log in")]
    [InlineData("OPENAI_API_KEY=abc123\nDB_PASSWORD=\"p@ss w0rd\"\nDEBUG=1", "OPENAI_API_KEY=[REDACTED:query-param]\nDB_PASSWORD=\"[REDACTED:query-param]\"\nDEBUG=1")]
    [InlineData("export GITHUB_TOKEN=$TOKEN", "export GITHUB_TOKEN=$TOKEN")]
    [InlineData("https://s3.amazonaws.com/b/o?X-Amz-Signature=0a1b2c3d&X-Amz-Expires=300", "https://s3.amazonaws.com/b/o?X-Amz-Signature=[REDACTED:query-param]&X-Amz-Expires=300")]
    [InlineData("https://app/#access_token=abc.def&state=1", "https://app/#access_token=[REDACTED:query-param]&state=1")]
    [InlineData("{\"auth\":{\"registry.io\":{\"auth\":\"dXNlcjpwYXNzd29yZDEyMw==\"}}}", "{\"auth\":{\"registry.io\":{\"auth\":\"[REDACTED:json-field]\"}}}")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----\nok", "[REDACTED:private-key]\nok")]
    [InlineData("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI (cut short", "[REDACTED:private-key]")]
    public void Credentials_in_text_are_found_by_their_context(string text, string expected)
    {
        Assert.Equal(expected, RedactText(text));
    }

    [Theory]
    [InlineData("The task-force met at the desk-side; risk-free.")]
    [InlineData("A basic idea: Bearer tokens are sent in a header.")]
    [InlineData("sorted(items, key=lambda x: x[1]); fetch(token=tok)")]
    [InlineData("{\"max_tokens\":1024,\"usage\":{\"input_tokens\":12,\"cache_read_input_tokens\":0}}")]
    [InlineData("{\"logprobs\":{\"content\":[{\"token\":\" Hello\",\"logprob\":-0.1}]}}")]
    [InlineData("{\"type\":\"thinking\",\"thinking\":\"…\",\"signature\":\"EqQBCkYIBRgCKkDx3kCMAzc8a7pbJFIeTgbvSRF\"}")]
    [InlineData("if token == expected: return secret_santa")]
    [InlineData("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")]
    [InlineData("Malaysia and ASIA are places; AKIA is short.")]
    [InlineData("data: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello, world\"}}")]
    [InlineData("x-api-key is the header to set; authorization: is described in RFC 9110")]
    public void Ordinary_text_and_llm_json_are_left_alone(string text)
    {
        Assert.Equal(text, RedactText(text));
    }

    [Fact]
    public void Redacting_twice_changes_nothing_more()
    {
        var text = $"x-api-key: {Secrets.Anthropic}\n{{\"password\":\"{Secrets.Password}\"}} ?key={Secrets.Google} Bearer {Secrets.Jwt}";

        var once = RedactText(text);

        Assert.Equal(once, RedactText(once));
    }

    [Fact]
    public void Disabled_rules_stop_and_enabled_rules_limit()
    {
        var text = $"{Secrets.Anthropic} and {Secrets.GitHub}";

        Assert.Equal($"{Secrets.Anthropic} and [REDACTED:github-token]", RedactText(text, new RedactConfig { DisabledRules = ["anthropic-api-key"] }));
        Assert.Equal($"[REDACTED:anthropic-api-key] and {Secrets.GitHub}", RedactText(text, new RedactConfig { EnabledRules = ["anthropic-api-key"] }));
    }

    [Fact]
    public void Extra_patterns_headers_parameters_and_fields_add_to_the_built_in_lists()
    {
        var config = new RedactConfig
        {
            ExtraPatterns = new() { ["acme-token"] = "acme_[0-9a-f]{16}" },
            Headers = ["X-Acme-Auth"],
            QueryParams = ["session_id"],
            Fields = ["pin"],
        };
        var evt = HttpFilter.HttpEvents.Exchange(path: "/x?session_id=s3cr3t&page=2",
            requestHeaders: new JsonObject { ["x-acme-auth"] = "opaque-value" },
            requestBody: "{\"pin\":\"4711\",\"note\":\"acme_0123456789abcdef\"}");

        Run(config, evt);

        var request = evt.Fields!["request"]!;
        Assert.Equal("/x?session_id=[REDACTED:query-param]&page=2", request["path"]!.GetValue<string>());
        Assert.Equal("[REDACTED:header]", request["headers"]!["x-acme-auth"]!.GetValue<string>());
        Assert.Equal("{\"pin\":\"[REDACTED:json-field]\",\"note\":\"[REDACTED:acme-token]\"}", request["body"]!.GetValue<string>());
    }

    [Fact]
    public void A_configured_header_is_also_found_in_raw_http()
    {
        var output = Run(new RedactConfig { Headers = ["X-Acme-Auth"] }, Raw("GET / HTTP/1.1\r\nX-Acme-Auth: opaque-value\r\n\r\n"));

        Assert.Equal("GET / HTTP/1.1\r\nX-Acme-Auth: [REDACTED:header]\r\n\r\n", Text(Assert.Single(output)));
    }

    [Theory]
    [InlineData("{\"enabled_rules\":[\"anthropic\"]}", "enabled_rules[0]", "unknown rule \"anthropic\" (known: header, json-field, query-param, anthropic-api-key")]
    [InlineData("{\"disabled_rules\":[\"jwts\"]}", "disabled_rules[0]", "unknown rule \"jwts\"")]
    [InlineData("{\"extra_patterns\":{\"x\":\"(unclosed\"}}", "extra_patterns.x", "not a valid regular expression")]
    [InlineData("{\"extra_patterns\":{\"x\":\"a*\"}}", "extra_patterns.x", "matches empty text")]
    [InlineData("{\"extra_patterns\":{\"x\":\"(?<=k)v\"}}", "extra_patterns.x", "not supported")]
    [InlineData("{\"extra_patterns\":{\"jwt\":\"abc\"}}", "extra_patterns.jwt", "is a built-in rule's name")]
    [InlineData("{\"extra_patterns\":{\"My Token\":\"abc\"}}", "extra_patterns.My Token", "the name must be 1 to 40 characters")]
    [InlineData("{\"headers\":[\"bad header\"]}", "headers[0]", "must be a name of letters")]
    [InlineData("{\"hold_ms\":-1}", "hold_ms", "must be between 0 and 10000")]
    [InlineData("{\"max_streams\":0}", "max_streams", "must be between 1 and 1000000")]
    public void A_bad_configuration_is_refused_naming_its_key(string json, string key, string problem)
    {
        var config = System.Text.Json.JsonSerializer.Deserialize<RedactConfig>(json, SnakeCase)!;

        var error = Assert.Single(config.Validate());

        Assert.Equal(key, error.Key);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Turning_every_rule_off_is_allowed_but_warned_about()
    {
        var logger = new RecordingLogger();
        var text = $"x-api-key: {Secrets.Anthropic}";

        var output = Run(new RedactConfig { EnabledRules = [] }, new TestStageContext { Logger = logger }, [Raw(text)]);

        Assert.Equal(text, Text(Assert.Single(output)));
        Assert.Contains(logger.At(Microsoft.Extensions.Logging.LogLevel.Warning),
            e => e.Message.Contains("every rule is disabled", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_configuration_is_valid()
    {
        Assert.Empty(new RedactConfig().Validate());
    }
}
