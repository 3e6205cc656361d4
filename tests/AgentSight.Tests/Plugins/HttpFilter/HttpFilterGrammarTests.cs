using System.Text.Json.Nodes;
using static AgentSight.Tests.Analyzers.HttpFilter.HttpEvents;
using static AgentSight.Tests.Analyzers.HttpFilter.HttpFilterHarness;

namespace AgentSight.Tests.Analyzers.HttpFilter;

/// <summary>The original's http filter syntax, its field names and aliases, on our one-event-per-exchange records.</summary>
public sealed class HttpFilterGrammarTests
{
    [Fact]
    public void A_bare_word_means_the_request_path_contains_it()
    {
        Assert.True(Drops("rgstr", Exchange(path: "/v1/rgstr")));
        Assert.False(Drops("rgstr", Exchange(path: "/v1/messages")));
    }

    [Fact]
    public void A_field_without_a_target_is_a_request_field()
    {
        Assert.True(Drops("method=HEAD", Exchange(method: "HEAD")));
        Assert.True(Drops("path_prefix=/v1/", Exchange()));
        Assert.True(Drops("host=api.anthropic.com", Exchange()));
    }

    [Theory]
    [InlineData("request.method=post")]
    [InlineData("req.verb=POST")]
    [InlineData("request.path=/v1/messages?beta=true")]
    [InlineData("request.path_exact=/v1/messages?beta=true")]
    [InlineData("request.path_prefix=/v1/mess")]
    [InlineData("request.path_starts_with=/v1/mess")]
    [InlineData("request.path_contains=messages")]
    [InlineData("request.path_includes=messages")]
    [InlineData("request.host=API.anthropic.com")]
    [InlineData("request.hostname=api.anthropic.com")]
    [InlineData("request.body=claude-sonnet")]
    [InlineData("request.body_contains=claude-sonnet")]
    [InlineData("request.beta=true")]
    [InlineData("response.status_code=200")]
    [InlineData("resp.status=200")]
    [InlineData("res.code=200")]
    [InlineData("response.status_text=ok")]
    [InlineData("response.status_message=O")]
    [InlineData("response.content_type=event-stream")]
    [InlineData("response.content-type=text/")]
    [InlineData("response.request-id=req_011")]
    [InlineData("response.request_id=req_011")]
    [InlineData("response.headers.Request-Id=req_011")]
    [InlineData("request.headers.x-app=cli")]
    public void Every_field_name_and_alias_of_the_original_matches(string expression)
    {
        var exchange = Exchange(path: "/v1/messages?beta=true", streamed: true, responseBodySize: 100,
            requestHeaders: new JsonObject { ["host"] = "api.anthropic.com", ["x-app"] = "cli" },
            responseHeaders: new JsonObject { ["content-type"] = "text/event-stream; charset=utf-8", ["request-id"] = "req_011CV" });

        Assert.True(Drops(expression, exchange));
    }

    [Theory]
    [InlineData("request.method=GET")]
    [InlineData("request.path=/v1/messages")]
    [InlineData("request.path_prefix=/v2")]
    [InlineData("request.host=api.openai.com")]
    [InlineData("request.beta=tru")]
    [InlineData("request.alpha=true")]
    [InlineData("response.status_code=201")]
    [InlineData("response.content_type=json")]
    [InlineData("response.x-missing=anything")]
    public void A_condition_that_does_not_hold_keeps_the_exchange(string expression)
    {
        var exchange = Exchange(path: "/v1/messages?beta=true", streamed: true, responseBodySize: 100);

        Assert.False(Drops(expression, exchange));
    }

    [Fact]
    public void A_host_without_a_port_matches_a_host_header_with_one()
    {
        Assert.True(Drops("request.host=localhost", Exchange(host: "localhost:8080")));
        Assert.False(Drops("request.host=localhost:9090", Exchange(host: "localhost:8080")));
    }

    [Fact]
    public void Query_parameters_compare_whole_decoded_values()
    {
        var exchange = Exchange(path: "/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&q=a%20b");

        Assert.True(Drops("request.alt=sse", exchange));
        Assert.True(Drops("request.q=a b", exchange));
        Assert.False(Drops("request.alt=ss", exchange));
        Assert.False(Drops("request.lt=sse", exchange));
    }

    [Fact]
    public void And_needs_every_condition_and_or_needs_one()
    {
        var post = Exchange(method: "POST");
        var head = Exchange(method: "HEAD");

        Assert.True(Drops("request.method=POST & response.status_code=200", post));
        Assert.False(Drops("request.method=POST & response.status_code=500", post));
        Assert.True(Drops("request.method=HEAD | response.status_code=200", post));
        Assert.True(Drops("request.method=HEAD | response.status_code=500", head));
        Assert.False(Drops("request.method=GET | response.status_code=500", post));
    }

    [Fact]
    public void Response_conditions_never_match_an_exchange_with_no_response()
    {
        var unanswered = Exchange(noResponse: true);

        Assert.False(Drops("response.status_code=0", unanswered));
        Assert.False(Drops("response.body=", unanswered));
        Assert.True(Drops("request.method=POST", unanswered));
    }

    [Fact]
    public void Backslash_puts_a_separator_inside_a_value()
    {
        Assert.True(Drops(@"request.body=a\|b", Exchange(requestBody: "x a|b y")));
        Assert.True(Drops(@"request.body=a\&b", Exchange(requestBody: "x a&b y")));
    }

    [Fact]
    public void The_original_s_http_parser_records_are_filtered_one_message_at_a_time()
    {
        var request = Original("request", method: "HEAD", path: "/");
        var response = Original("response", status: 202, headers: new JsonObject { ["server"] = "envoy" });

        Assert.True(Drops("request.method=HEAD", request));
        Assert.False(Drops("request.method=HEAD", response));
        Assert.True(Drops("response.status_code=202", response));
        Assert.True(Drops("response.server=envoy", response));
        Assert.False(Drops("response.status_code=202", request));
    }

    [Fact]
    public void Events_the_filter_does_not_handle_pass()
    {
        var ssl = AgentSight.Tests.Support.Some.SslEvent("GET / HTTP/1.1\r\n\r\n");
        var process = AgentSight.Tests.Support.Some.JsonEvent("process");

        Assert.Equal([ssl, process], Run(new AgentSight.Plugins.HttpFilter.HttpFilterConfig { Patterns = ["request.method=GET"] }, ssl, process));
    }
}
