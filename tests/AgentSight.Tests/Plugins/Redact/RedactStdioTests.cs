using System.Text;
using AgentSight.Contracts;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.Redact.RedactHarness;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>JSON-RPC over stdio (an MCP server's tool arguments and results) carries the secrets an HTTP body does.</summary>
public sealed class RedactStdioTests
{
    private static AgentEvent Stdio(string text, long timestamp) =>
        new(timestamp, EventSources.Stdio, 4242, 4242, "node",
            new StdioPayload(IoDirection.Write, 1, Encoding.UTF8.GetBytes(text), Encoding.UTF8.GetByteCount(text)) { Kind = "unix", StreamId = 4711, PeerPid = 4200 });

    [Fact]
    public void A_credential_in_a_JSON_RPC_line_is_replaced_even_when_the_line_is_cut_in_two()
    {
        var line = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"deploy\",\"arguments\":{\"api_key\":\""
            + Secrets.Stripe + "\",\"token\":\"" + Secrets.GitHub + "\"}}}\n";
        for (var cut = 1; cut < line.Length; cut += 7)
        {
            var output = Run(Stdio(line[..cut], Some.Epoch), Stdio(line[cut..], Some.Epoch + 1_000_000));

            var text = string.Concat(output.Select(e => Encoding.UTF8.GetString(((StdioPayload)e.Data).Bytes.Span)));
            AssertNoPartOf(Secrets.Stripe, Ndjson(output), Secrets.PrefixOf(Secrets.Stripe));
            AssertNoPartOf(Secrets.GitHub, Ndjson(output), Secrets.PrefixOf(Secrets.GitHub));
            Assert.Contains("[REDACTED:", text, StringComparison.Ordinal);
            Assert.Contains("\"tools/call\"", text, StringComparison.Ordinal);
            Assert.All(output, e => Assert.Equal(4711UL, ((StdioPayload)e.Data).StreamId));
        }
    }
}
