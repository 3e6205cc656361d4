using System.Text.Json.Nodes;
using AgentSight.Plugins.HttpFilter;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.HttpFilter.HttpEvents;
using static AgentSight.Tests.Analyzers.HttpFilter.HttpFilterHarness;

namespace AgentSight.Tests.Analyzers.HttpFilter;

/// <summary>The original's faults, fixed: empty parts, empty bodies, missing headers, silent failures.</summary>
public sealed class HttpFilterFixTests
{
    [Theory]
    [InlineData("", 1, "the expression is empty")]
    [InlineData("request.method=HEAD | ", 21, "empty alternative after the '|' at position 21")]
    [InlineData("| request.method=HEAD", 1, "empty alternative before the '|' at position 1")]
    [InlineData("a || b", 4, "empty alternative before the '|' at position 4")]
    [InlineData("method=GET & & path=/", 14, "empty condition before the '&' at position 14")]
    [InlineData("method=GET &", 12, "empty condition after the '&' at position 12")]
    [InlineData("=GET", 1, "expected a field name before '='")]
    [InlineData("request.method!=GET", 15, "http filters only compare with '='")]
    [InlineData("headers.host=x", 1, "unknown target \"headers\" in \"headers.host\"")]
    [InlineData("request.=x", 9, "expected a field name after \"request.\"")]
    [InlineData("response.status_code=ok", 1, "status_code takes an HTTP status such as 202, got \"ok\"")]
    [InlineData("request.method=", 1, "method= needs a value")]
    [InlineData("request.path_prefix=", 1, "path_prefix= needs a value")]
    [InlineData("response.status_text=", 1, "status_text= needs a value")]
    [InlineData("request.a.b=1", 1, "unknown request field \"a.b\"")]
    [InlineData("request.me thod=GET", 11, "' ' cannot be part of a field name")]
    public void A_bad_expression_says_where_and_what_is_wrong(string expression, int position, string problem)
    {
        var error = ErrorOf(expression);

        Assert.Equal(position, error.Position);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], new string[0], true)]
    [InlineData(new[] { "request.method=HEAD" }, new string[0], false)]
    [InlineData(new string[0], new[] { "record" }, false)]
    public void Only_a_filter_without_expressions_asks_to_be_left_out_of_the_event_path(string[] patterns, string[] presets, bool passesEverything)
    {
        var filter = new HttpFilterFactory().Create(new HttpFilterConfig { Patterns = [.. patterns], Presets = [.. presets] }, new TestStageContext());

        Assert.Equal(passesEverything, filter.PassesEverything);
    }

    [Fact]
    public void An_empty_response_body_value_means_an_empty_body_not_every_response()
    {
        var streamed = StreamedAnswer();
        var json = Exchange(responseBody: "{\"id\":\"msg_01\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]}");
        var noContent = Exchange(status: 204, reason: "No Content", responseBody: null);
        var blank = Exchange(status: 200, responseBody: "");

        Assert.False(Drops("response.body=", streamed));
        Assert.False(Drops("response.body=", json));
        Assert.True(Drops("response.body=", noContent));
        Assert.True(Drops("response.body=", blank));
    }

    [Fact]
    public void An_empty_request_body_value_means_an_empty_request_body()
    {
        Assert.True(Drops("request.body=", Exchange(method: "GET", requestBody: null)));
        Assert.False(Drops("request.body=", Exchange()));
    }

    [Fact]
    public void A_missing_header_never_matches_even_with_an_empty_value()
    {
        var without = Exchange(responseHeaders: new JsonObject { ["content-type"] = "application/json" });
        var empty = Exchange(responseHeaders: new JsonObject { ["x-debug"] = "" });

        Assert.False(Drops("response.x-debug=", without));
        Assert.True(Drops("response.x-debug=", empty));
        Assert.False(Drops("response.x-debug=on", empty));
    }

    [Fact]
    public void Header_names_ignore_case()
    {
        var exchange = Exchange(responseHeaders: new JsonObject { ["server"] = "cloudflare" });

        Assert.True(Drops("response.Server=cloud", exchange));
        Assert.True(Drops("response.SERVER=cloudflare", exchange));
    }

    [Fact]
    public void Validate_reports_each_bad_pattern_with_its_key()
    {
        var config = new HttpFilterConfig { Patterns = ["request.method=HEAD", "a |", "response.status=x"], RelatedCapacity = 0 };

        var errors = config.Validate().Select(e => $"{e.Key}: {e.Message}").ToList();

        Assert.Equal(
        [
            "patterns[1]: cannot parse \"a |\" at position 3: empty alternative after the '|' at position 3 (the original matched every request here; remove it or write a condition)",
            "patterns[2]: cannot parse \"response.status=x\" at position 1: status takes an HTTP status such as 202, got \"x\"",
            "related_capacity: must be between 1 and 1000000 (got 0)",
        ], errors);
    }

    [Fact]
    public void The_default_configuration_is_valid_and_passes_everything()
    {
        var events = new[] { Exchange(), Follower("sse", "4242:0x5581:1") };

        Assert.Empty(new HttpFilterConfig().Validate());
        Assert.Equal(events, Run(new HttpFilterConfig(), events));
    }
}
