using System.Text;
using System.Text.RegularExpressions;
using AgentSight.Contracts;
using AgentSight.Plugins.Redact;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>Runs the redactor as its stage would (events, then a flush at shutdown) and reads what came out.</summary>
internal static partial class RedactHarness
{
    public static List<AgentEvent> Run(params AgentEvent[] events) => Run(new RedactConfig(), events);

    public static List<AgentEvent> Run(RedactConfig config, params AgentEvent[] events) => Run(config, new TestStageContext(), events);

    public static List<AgentEvent> Run(RedactConfig config, TestStageContext context, IEnumerable<AgentEvent> events)
    {
        Assert.Empty(config.Validate());
        var redactor = new RedactFactory().Create(config, context);
        var output = new CapturingOutput();
        foreach (var evt in events)
        {
            redactor.Process(evt, output);
        }
        redactor.Flush(output);
        return output.Events;
    }

    /// <summary>The events as the sinks would write them.</summary>
    public static string Ndjson(IEnumerable<AgentEvent> events) => string.Join("\n", events.Select(AgentEventJson.ToJson));

    /// <summary>An ssl event's bytes as text (Latin-1, so no byte is lost to decoding).</summary>
    public static string Text(AgentEvent evt) => Encoding.Latin1.GetString(((TlsPayload)evt.Data).Bytes.Span);

    /// <summary>Every marker written as [R], and runs of markers as one: the redacted text without naming details.</summary>
    public static string Normalize(string text) => Markers().Replace(text, "[R]");

    /// <summary>
    /// Fails when any part of <paramref name="secret"/> past its public prefix shows in <paramref name="output"/>:
    /// a half of a cut secret leaking is as bad as the whole.
    /// </summary>
    public static void AssertNoPartOf(string secret, string output, int prefix = 0, int window = 8)
    {
        for (var i = prefix; i + window <= secret.Length; i++)
        {
            var part = secret.Substring(i, window);
            if (output.Contains(part, StringComparison.Ordinal))
            {
                Assert.Fail($"\"{part}\" (characters {i}..{i + window} of the secret {secret[..Math.Min(16, secret.Length)]}…) leaked:\n{output}");
            }
        }
    }

    public static AgentEvent Raw(string text, TlsDirection direction = TlsDirection.Write, ulong connection = 0x5581_0000_1000, long timestamp = Some.Epoch) =>
        Some.SslEvent(Encoding.Latin1.GetBytes(text), direction, timestamp: timestamp, connection: connection);

    [GeneratedRegex(@"(\[REDACTED:[a-z0-9-]+\])+")]
    private static partial Regex Markers();
}
