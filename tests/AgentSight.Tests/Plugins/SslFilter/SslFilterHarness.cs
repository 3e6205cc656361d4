using System.Text;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.Filters;
using AgentSight.Plugins.SslFilter;
using AgentSight.Plugins.SslFilter.Expressions;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.SslFilter;

/// <summary>Runs the ssl-filter on events as its stage would, and builds the events the tests need.</summary>
internal static class SslFilterHarness
{
    /// <summary>True when the expression drops the event.</summary>
    public static bool Drops(string expression, AgentEvent evt) => Run([expression], evt).Count == 0;

    public static List<AgentEvent> Run(IEnumerable<string> patterns, params AgentEvent[] events) =>
        Run(new SslFilterConfig { Patterns = [.. patterns] }, new TestStageContext(), events);

    public static List<AgentEvent> Run(SslFilterConfig config, TestStageContext context, params AgentEvent[] events)
    {
        Assert.Empty(config.Validate());
        var filter = new SslFilterFactory().Create(config, context);
        var output = new CapturingOutput();
        foreach (var evt in events)
        {
            filter.Process(evt, output);
        }
        return output.Events;
    }

    public static FilterSyntaxException ErrorOf(string expression) =>
        Assert.Throws<FilterSyntaxException>(() => SslExpressionParser.Parse(expression));

    public static AgentEvent Read(string text, int pid = 4242, string comm = "python3") =>
        Some.SslEvent(text, TlsDirection.Read, pid: pid, comm: comm);

    public static AgentEvent Write(string text) => Some.SslEvent(text, TlsDirection.Write);

    public static AgentEvent Bytes(byte[] bytes) => Some.SslEvent(bytes);

    public static AgentEvent Handshake(long latencyNs = 5_123_000) =>
        new(Some.Epoch, EventSources.Ssl, 4242, 4250, "python3", new TlsPayload(TlsDirection.Handshake, ReadOnlyMemory<byte>.Empty, 1)
        {
            ConnectionId = 0x5581_0000_1000,
            Uid = 1000,
            LatencyNs = latencyNs,
        });

    public static AgentEvent WithLatency(string text, double ms)
    {
        var evt = Read(text);
        ((TlsPayload)evt.Data).LatencyNs = (long)Math.Round(ms * 1_000_000);
        return evt;
    }

    public static AgentEvent Truncated(string text, long lost)
    {
        var evt = Read(text);
        ((TlsPayload)evt.Data).BytesLost = lost;
        return evt;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
