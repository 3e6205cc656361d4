using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.Filters;
using AgentSight.Plugins.HttpFilter;
using AgentSight.Plugins.HttpFilter.Expressions;
using AgentSight.Tests.Support;
using CsCheck;

namespace AgentSight.Tests.Analyzers.HttpFilter;

/// <summary>Any expression text parses or is refused; events of any shape are evaluated without a crash.</summary>
public sealed class HttpFilterRobustnessTests
{
    private static readonly Gen<string> ExpressionText = Gen.OneOf(
        Gen.String,
        Gen.OneOf("request", "response", "req.", "res.", ".", "method", "path_prefix", "status_code", "body", "headers.", "x-a", "=", "|", "&", "\\",
            "\\|", " ", "200", "HEAD", "!", "é").Array[0, 30].Select(string.Concat));

    private static readonly Gen<JsonNode?> Value = Gen.OneOf<JsonNode?>(
        Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Double.Select(d => (JsonNode?)JsonValue.Create(double.IsFinite(d) ? d : 0)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Bool.Select(_ => (JsonNode?)null),
        Gen.String.Select(s => (JsonNode?)new JsonArray(s, 1)),
        Gen.String.Select(s => (JsonNode?)new JsonObject { [s.Length > 0 ? s : "k"] = s }));

    [Fact]
    public void Any_text_either_parses_or_is_refused_with_a_position()
    {
        ExpressionText.Sample(text =>
        {
            try
            {
                HttpExpressionParser.Parse(text);
            }
            catch (FilterSyntaxException ex)
            {
                Assert.InRange(ex.Position, 1, text.Length + 1);
            }
        }, iter: 5000);
    }

    [Fact]
    public void Exchanges_of_any_shape_are_evaluated_without_a_crash()
    {
        var config = new HttpFilterConfig
        {
            Presets = ["record"],
            Patterns = ["request.host=x & request.q=1 & response.server=y", "response.headers.x-a= | request.headers.h=v | response.status_text=ok", "word"],
        };
        Gen.Select(Value, Value, Value, Value, Value).Sample((method, path, status, body, header) =>
        {
            var exchange = Some.JsonEvent("http", new JsonObject
            {
                ["exchange_id"] = JsonNode.Parse(JsonSerializerHelper(path)),
                ["request"] = new JsonObject { ["method"] = method?.DeepClone(), ["path"] = path?.DeepClone(), ["headers"] = header?.DeepClone(), ["body"] = body?.DeepClone() },
                ["response"] = new JsonObject { ["status"] = status?.DeepClone(), ["headers"] = new JsonObject { ["server"] = header?.DeepClone() }, ["body_size"] = status?.DeepClone() },
            });
            var original = Some.JsonEvent("http_parser", new JsonObject { ["message_type"] = method?.DeepClone(), ["status_code"] = status?.DeepClone(), ["headers"] = header?.DeepClone() });

            var output = HttpFilterHarness.Run(config, exchange, original, Some.JsonEvent("llm", new JsonObject { ["exchange_id"] = path?.DeepClone() }));

            Assert.InRange(output.Count, 0, 3);
        }, iter: 2000);
    }

    private static string JsonSerializerHelper(JsonNode? node) => node?.ToJsonString() ?? "null";
}
