using AgentSight.Contracts;
using AgentSight.Plugins.Common.Filters;
using AgentSight.Plugins.SslFilter.Expressions;
using AgentSight.Tests.Support;
using CsCheck;
using static AgentSight.Tests.Analyzers.SslFilter.SslFilterHarness;

namespace AgentSight.Tests.Analyzers.SslFilter;

/// <summary>Any expression text parses or is refused with a syntax error; any payload is evaluated without a crash.</summary>
public sealed class SslFilterRobustnessTests
{
    private static readonly Gen<string> ExpressionText = Gen.OneOf(
        Gen.String,
        Gen.OneOf("data", "len", "comm", "is_handshake", "data.type", "~", "=", "!=", ">=", "^=", "$=", "|", "&", "(", ")", "\\", "\\|", " ",
            "5", "true", "binary", "HEX:1f", "é", "\"").Array[0, 30].Select(string.Concat));

    [Fact]
    public void Any_text_either_parses_or_is_refused_with_a_position()
    {
        ExpressionText.Sample(text =>
        {
            try
            {
                SslExpressionParser.Parse(text);
            }
            catch (FilterSyntaxException ex)
            {
                Assert.InRange(ex.Position, 1, text.Length + 1);
            }
        }, iter: 5000);
    }

    [Fact]
    public void Random_bytes_and_odd_events_are_evaluated_without_a_crash()
    {
        string[] patterns =
        [
            @"data=0\r\n\r\n | data.type=binary", "data~HEX:00ff & len>3", "data^=é | data$=\\n", "uid=0 | conn_id~0x | lib~ssl",
            "latency_ms>=0.5 & bytes_lost<10 & truncated=false", "comm!=x & pid>0 & tid>=0 & timestamp_ns>0 & is_handshake=false",
        ];
        Gen.Byte.Array[0, 3000].Sample(bytes =>
        {
            var events = new[]
            {
                Some.SslEvent(bytes),
                new AgentEvent(0, EventSources.Ssl, -1, 0, "", new TlsPayload(TlsDirection.Read, bytes, -5) { HasBytes = bytes.Length % 2 == 0, BytesLost = long.MaxValue }),
                new AgentEvent(0, EventSources.Ssl, 1, 1, "x", new JsonPayload(new System.Text.Json.Nodes.JsonObject { ["data"] = "not tls" })),
            };

            var output = Run(patterns, events);

            Assert.InRange(output.Count, 1, 3);
        }, iter: 1000);
    }
}
