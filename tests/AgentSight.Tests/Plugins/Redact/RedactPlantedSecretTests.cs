using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Redact;
using AgentSight.Tests.Analyzers.HttpFilter;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.Redact.RedactHarness;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>A secret planted in a header, a URL, a JSON body and a raw payload: it appears in no output.</summary>
public sealed class RedactPlantedSecretTests
{
    [Fact]
    public void Sensitive_headers_of_an_exchange_are_replaced_and_the_others_kept()
    {
        var exchange = HttpEvents.Exchange(requestHeaders: new JsonObject
        {
            ["host"] = "api.anthropic.com",
            ["x-api-key"] = Secrets.Anthropic,
            ["authorization"] = "Bearer " + Secrets.OpenAi,
            ["proxy-authorization"] = "Basic dXNlcjpwYXNzd29yZA==",
            ["cookie"] = "session=" + Secrets.Cookie,
            ["api-key"] = "0123456789abcdef0123456789abcdef",
            ["x-goog-api-key"] = Secrets.Google,
            ["anthropic-version"] = "2023-06-01",
        }, responseHeaders: new JsonObject { ["set-cookie"] = "__cf_bm=" + Secrets.Cookie + "; path=/", ["request-id"] = "req_011CV" });

        var output = Ndjson(Run(exchange));

        var headers = exchange.Fields!["request"]!["headers"]!;
        Assert.Equal("[REDACTED:header]", headers["x-api-key"]!.GetValue<string>());
        Assert.Equal("Bearer [REDACTED:header]", headers["authorization"]!.GetValue<string>());
        Assert.Equal("Basic [REDACTED:header]", headers["proxy-authorization"]!.GetValue<string>());
        Assert.Equal("[REDACTED:header]", headers["cookie"]!.GetValue<string>());
        Assert.Equal("[REDACTED:header]", headers["api-key"]!.GetValue<string>());
        Assert.Equal("[REDACTED:header]", headers["x-goog-api-key"]!.GetValue<string>());
        Assert.Equal("2023-06-01", headers["anthropic-version"]!.GetValue<string>());
        Assert.Equal("api.anthropic.com", headers["host"]!.GetValue<string>());
        Assert.Equal("[REDACTED:header]", exchange.Fields!["response"]!["headers"]!["set-cookie"]!.GetValue<string>());
        Assert.Equal("req_011CV", exchange.Fields!["response"]!["headers"]!["request-id"]!.GetValue<string>());
        foreach (var secret in new[] { Secrets.Anthropic, Secrets.OpenAi, Secrets.Google, Secrets.Cookie, "0123456789abcdef", "dXNlcjpw" })
        {
            AssertNoPartOf(secret, output, Secrets.PrefixOf(secret));
        }
    }

    [Fact]
    public void Every_header_name_of_the_original_list_and_the_added_ones_is_covered_ignoring_case()
    {
        var names = new[]
        {
            "Authorization", "X-API-Key", "x-auth-token", "bearer", "token", "x-access-token", "x-session-token", "Cookie", "Set-Cookie",
            "Proxy-Authorization", "api-key", "x-goog-api-key", "x-amz-security-token", "private-token", "ocp-apim-subscription-key",
        };
        var headers = new JsonObject();
        foreach (var name in names)
        {
            headers[name] = "v4lue-" + name;
        }

        Run(HttpEvents.Exchange(requestHeaders: headers));

        Assert.All(names, name => Assert.Equal("[REDACTED:header]", headers[name]!.GetValue<string>()));
    }

    [Fact]
    public void Credentials_in_url_query_parameters_are_replaced_and_other_parameters_kept()
    {
        var exchange = HttpEvents.Exchange(path: $"/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key={Secrets.Google}");
        var llm = Some.JsonEvent("llm", new JsonObject
        {
            ["url.path"] = $"/oauth/callback?state=xyz&access_token={Secrets.GitHub}&code_verifier=abc",
            ["server.address"] = "generativelanguage.googleapis.com",
        });

        var output = Ndjson(Run(exchange, llm));

        Assert.Equal("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key=[REDACTED:query-param]",
            exchange.Fields!["request"]!["path"]!.GetValue<string>());
        Assert.Equal("/oauth/callback?state=xyz&access_token=[REDACTED:query-param]&code_verifier=abc", llm.Fields!["url.path"]!.GetValue<string>());
        AssertNoPartOf(Secrets.Google, output, Secrets.PrefixOf(Secrets.Google));
        AssertNoPartOf(Secrets.GitHub, output, Secrets.PrefixOf(Secrets.GitHub));
    }

    [Fact]
    public void Secrets_in_json_bodies_are_replaced_whether_named_or_recognised()
    {
        var body = $$"""
            {"model":"gpt-5","api_key":"{{Secrets.Stripe}}","config":{"password":"{{Secrets.Password}}","clientSecret":"{{Secrets.Cookie}}"},
             "messages":[{"role":"user","content":"deploy with {{Secrets.Aws}} and {{Secrets.Anthropic}}"}],
             "tool":{"arguments":"{\"github_token\":\"{{Secrets.GitHub}}\",\"path\":\"/tmp\"}"},"max_tokens":1024}
            """;
        var exchange = HttpEvents.Exchange(requestBody: body);

        var output = Ndjson(Run(exchange));

        var redacted = exchange.Fields!["request"]!["body"]!.GetValue<string>();
        Assert.Contains("\"api_key\":\"[REDACTED:json-field]\"", redacted, StringComparison.Ordinal);
        Assert.Contains("\"password\":\"[REDACTED:json-field]\"", redacted, StringComparison.Ordinal);
        Assert.Contains("\"clientSecret\":\"[REDACTED:json-field]\"", redacted, StringComparison.Ordinal);
        Assert.Contains("deploy with [REDACTED:aws-access-key] and [REDACTED:anthropic-api-key]", redacted, StringComparison.Ordinal);
        Assert.Contains("\\\"github_token\\\":\\\"[REDACTED:json-field]\\\",\\\"path\\\":\\\"/tmp\\\"", redacted, StringComparison.Ordinal);
        Assert.Contains("\"max_tokens\":1024", redacted, StringComparison.Ordinal);
        foreach (var secret in new[] { Secrets.Stripe, Secrets.Password, Secrets.Cookie, Secrets.Aws, Secrets.Anthropic, Secrets.GitHub })
        {
            AssertNoPartOf(secret, output, Secrets.PrefixOf(secret));
        }
    }

    [Fact]
    public void Secrets_in_parsed_json_anywhere_in_an_event_are_replaced()
    {
        var sse = Some.JsonEvent("sse", new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject { ["data"] = new JsonObject { ["delta"] = new JsonObject { ["text"] = "key: " + Secrets.OpenAi } } }),
            ["message"] = new JsonObject { ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_use", ["input"] = new JsonObject { ["token"] = Secrets.Slack } }) },
            ["text"] = "Your JWT is " + Secrets.Jwt,
        });
        var process = Some.JsonEvent(EventSources.Process, new JsonObject
        {
            ["event"] = "EXEC",
            ["argv"] = new JsonArray("curl", "-H", "Authorization: Bearer " + Secrets.GitHub, "https://api.github.com/user"),
        });

        var output = Ndjson(Run(sse, process));

        Assert.Equal("key: [REDACTED:openai-api-key]", sse.Fields!["events"]![0]!["data"]!["delta"]!["text"]!.GetValue<string>());
        Assert.Equal("[REDACTED:json-field]", sse.Fields!["message"]!["content"]![0]!["input"]!["token"]!.GetValue<string>());
        Assert.Equal("Your JWT is [REDACTED:jwt]", sse.Fields!["text"]!.GetValue<string>());
        Assert.Equal("Authorization: Bearer [REDACTED:header]", process.Fields!["argv"]![2]!.GetValue<string>());
        Assert.Equal("https://api.github.com/user", process.Fields!["argv"]![3]!.GetValue<string>());
        foreach (var secret in new[] { Secrets.OpenAi, Secrets.Slack, Secrets.Jwt, Secrets.GitHub })
        {
            AssertNoPartOf(secret, output, Secrets.PrefixOf(secret));
        }
    }

    [Fact]
    public void Secrets_in_a_raw_payload_are_replaced_in_place_with_a_new_buffer()
    {
        var request = $"POST /v1/messages?beta=true HTTP/1.1\r\nhost: api.anthropic.com\r\nx-api-key: {Secrets.Anthropic}\r\n" +
                      $"Authorization: Bearer {Secrets.OpenAi}\r\nCookie: a={Secrets.Cookie}; b=2\r\ncontent-type: application/json\r\n\r\n" +
                      $"{{\"model\":\"claude-sonnet-4-5\",\"password\":\"{Secrets.Password}\",\"q\":\"{Secrets.Google}\"}}";
        var evt = Raw(request);
        var original = ((TlsPayload)evt.Data).Bytes;

        var output = Run(evt);

        var text = Text(Assert.Single(output));
        Assert.Equal(
            "POST /v1/messages?beta=true HTTP/1.1\r\nhost: api.anthropic.com\r\nx-api-key: [REDACTED:header]\r\n" +
            "Authorization: Bearer [REDACTED:header]\r\nCookie: [REDACTED:header]\r\ncontent-type: application/json\r\n\r\n" +
            "{\"model\":\"claude-sonnet-4-5\",\"password\":\"[REDACTED:json-field]\",\"q\":\"[REDACTED:google-api-key]\"}", text);
        Assert.Equal(request, System.Text.Encoding.Latin1.GetString(original.Span));
        Assert.Equal(request.Length, ((TlsPayload)output[0].Data).Length);
    }

    [Fact]
    public void The_original_s_http_parser_records_lose_their_credentials_everywhere_raw_data_included()
    {
        var evt = Some.JsonEvent("http_parser", new JsonObject
        {
            ["message_type"] = "request",
            ["headers"] = new JsonObject { ["x-api-key"] = Secrets.Anthropic, ["host"] = "api.anthropic.com" },
            ["raw_data"] = $"POST /v1/messages HTTP/1.1\r\nx-api-key: {Secrets.Anthropic}\r\n\r\n{{}}",
            ["body"] = $"{{\"api_key\":\"{Secrets.OpenAi}\"}}",
        });

        var output = Ndjson(Run(evt));

        AssertNoPartOf(Secrets.Anthropic, output, Secrets.PrefixOf(Secrets.Anthropic));
        AssertNoPartOf(Secrets.OpenAi, output, Secrets.PrefixOf(Secrets.OpenAi));
        Assert.Contains("x-api-key: [REDACTED:header]\\r\\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_bodies_shown_as_hex_are_redacted_as_the_bytes_they_stand_for()
    {
        byte[] bytes = [0x00, 0x01, .. System.Text.Encoding.ASCII.GetBytes(Secrets.GitHub), 0xff];
        var evt = Some.JsonEvent("http_body", new JsonObject { ["data"] = TlsPayload.FormatData(bytes), ["content_type"] = "application/grpc" });

        var output = Ndjson(Run(evt));

        Assert.DoesNotContain(Convert.ToHexStringLower(System.Text.Encoding.ASCII.GetBytes(Secrets.GitHub[4..20])), output, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower("[REDACTED:github-token]"u8), output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_replacement_is_counted_by_rule_and_changed_events_are_counted()
    {
        var context = new TestStageContext();
        var events = new[]
        {
            HttpEvents.Exchange(requestHeaders: new JsonObject { ["x-api-key"] = Secrets.Anthropic }),
            Raw($"GET /x?key={Secrets.Google} HTTP/1.1\r\n\r\n"),
            Some.JsonEvent("llm", new JsonObject { ["text"] = "nothing to see" }),
        };

        Run(new RedactConfig(), context, events);

        Assert.Equal(1, context.CounterValue("header"));
        Assert.Equal(1, context.CounterValue("query-param"));
        Assert.Equal(2, context.CounterValue("events_redacted"));
    }
}
