using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Pipeline;

/// <summary>
/// A stage's failure is logged with the event it failed on, but no log line may carry event content that redaction
/// has not seen: before <c>redact</c> (or without it) the log shows the event's shape and the exception's type and
/// stack, never the event's bytes, fields' values, or an exception message that may quote them.
/// </summary>
public sealed class FailureLogRedactionTests
{
    private const string Secret = "sk-ant-api03-PLANTED-secret-0123456789abcdef";

    private const string Body = "{\"api_key\":\"" + Secret + "\"}";

    private static AgentEvent Request() => new(Some.Epoch, EventSources.Http, 4242, 4243, "agent", new JsonPayload(new JsonObject
    {
        ["method"] = "POST",
        ["headers"] = new JsonObject { ["authorization"] = "Bearer " + Secret, ["host"] = "api.anthropic.com" },
        ["body"] = Body,
    }));

    /// <summary>Fails as parsing code does: with a message that quotes what it could not read.</summary>
    private static DelegateAnalyzerFactory Thrower() => new(_ => new LambdaAnalyzer
    {
        OnProcess = (e, _) => throw new FormatException($"cannot read the header value '{e.Fields?["headers"]?["authorization"]}'",
            new InvalidOperationException("inner: " + Secret)),
    });

    [Fact]
    public async Task A_stage_before_redact_logs_the_shape_of_the_event_and_never_its_content()
    {
        var sink = new CollectingSinkFactory();
        var chain = new StageChain().Add(Thrower(), "acme", "Acme.Parser").AddRedact().Add(sink, "sink");

        await chain.RunAsync([Request()]);

        var failure = Assert.Single(chain.Log.Entries, e => e.Message.StartsWith("Stage acme (plugin Acme.Parser) failed", StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, chain.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer", chain.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("api.anthropic.com", chain.Text, StringComparison.Ordinal);
        // The shape: source, process, sizes and field names, so the failure can still be understood.
        Assert.Contains("http event of pid 4242 (tid 4243, comm \"agent\")", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"fields method (string, 4 chars), headers (object, 2 fields), body (string, {Body.Length} chars)", failure.Message,
            StringComparison.Ordinal);
        // The exception keeps its type and where it was thrown, not its message.
        var rendered = failure.Exception!.ToString();
        Assert.StartsWith("System.FormatException: (message withheld:", rendered, StringComparison.Ordinal);
        Assert.Contains("System.InvalidOperationException: (message withheld:", rendered, StringComparison.Ordinal);
        Assert.Contains(" at ", rendered, StringComparison.Ordinal);
        // The event itself went on, unchanged, to redaction and the sink.
        Assert.Single(sink.Received);
    }

    [Fact]
    public async Task A_tls_event_is_described_by_its_direction_and_size()
    {
        var evt = Some.SslEvent("POST /v1/messages HTTP/1.1\r\nx-api-key: " + Secret + "\r\n\r\n", TlsDirection.Write);
        var chain = new StageChain().Add(Thrower(), "acme").AddRedact().Add(new CollectingSinkFactory(), "sink");

        await chain.RunAsync([evt]);

        Assert.DoesNotContain(Secret, chain.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("POST", chain.Text, StringComparison.Ordinal);
        Assert.Contains($"ssl event of pid 4242 (tid 4250, comm \"python3\")", chain.Text, StringComparison.Ordinal);
        Assert.Contains($"TLS WRITE/SEND of {Encoding.UTF8.GetByteCount("POST /v1/messages HTTP/1.1\r\nx-api-key: " + Secret + "\r\n\r\n")} bytes", chain.Text,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stage_after_redact_logs_the_event_it_failed_on_and_the_exception_in_full()
    {
        var chain = new StageChain().AddRedact().Add(Thrower(), "late", "Acme.Late").Add(new CollectingSinkFactory(), "sink");

        await chain.RunAsync([Request()]);

        var failure = Assert.Single(chain.Log.Entries, e => e.Message.StartsWith("Stage late (plugin Acme.Late) failed", StringComparison.Ordinal));
        Assert.Contains("event: {\"timestamp\":" + Some.Epoch, failure.Message, StringComparison.Ordinal);
        Assert.Contains("cannot read the header value", failure.Exception!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_redaction_in_the_chain_a_failing_sink_logs_only_the_shape_too()
    {
        var sink = new CollectingSinkFactory { FailWhen = _ => throw new IOException("could not write " + Secret) };
        var chain = new StageChain().Add(sink, "sink", "Acme.Sink");

        await chain.RunAsync([Request()]);

        Assert.Contains(chain.Log.Entries, e => e.Message.StartsWith("Sink sink (plugin Acme.Sink) failed while writing an event", StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, chain.Text, StringComparison.Ordinal);
        Assert.Contains("http event of pid 4242", chain.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redact_stage_that_lets_failed_events_through_does_not_count_as_redaction()
    {
        // on_error: pass would let an event it failed on reach the later stages unredacted.
        var chain = new StageChain()
            .Add(new DelegateAnalyzerFactory(_ => new LambdaAnalyzer(), roles: [StageRoles.Redaction]), "redact", "redact", OnError.Pass)
            .Add(Thrower(), "late")
            .Add(new CollectingSinkFactory(), "sink");

        await chain.RunAsync([Request()]);

        Assert.DoesNotContain(Secret, chain.Text, StringComparison.Ordinal);
    }
}
