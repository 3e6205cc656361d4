using System.Text;
using AgentSight.Contracts;
using AgentSight.Traffic;
using AgentSight.Tests.Runners;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Analyzers.Redact.RedactHarness;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>The generator's realistic traffic: every fake key it planted is gone, and nothing else changed.</summary>
public sealed class RedactSyntheticTrafficTests
{
    private static SyntheticRecording Generate(ulong seed) =>
        SyntheticTraffic.Generate(new SyntheticOptions { Count = 60, Seed = seed, StartTime = Some.Epoch });

    [Theory]
    [InlineData(3UL)]
    [InlineData(11UL)]
    public void Every_planted_key_is_removed_from_the_raw_traffic(ulong seed)
    {
        var recording = Generate(seed);
        var keys = recording.Calls.Select(c => c.ApiKey).Distinct().ToList();
        Assert.Contains(keys, k => k.StartsWith("sk-ant-", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.StartsWith("sk-proj-", StringComparison.Ordinal));
        Assert.Contains(keys, k => k.StartsWith("AIza", StringComparison.Ordinal));

        var output = Run([.. recording.Events]);

        Assert.Equal(recording.Events.Count, output.Count);
        var ndjson = Ndjson(output);
        foreach (var key in keys)
        {
            // "sk-ant-api03-FAKE-", "sk-proj-FAKE" and "AIzaSyFAKE" are the generator's fixed prefixes.
            AssertNoPartOf(key, ndjson, prefix: key.IndexOf("FAKE", StringComparison.Ordinal) + 4, window: 10);
        }
    }

    [Theory]
    [InlineData(3UL)]
    [InlineData(11UL)]
    public void Apart_from_the_keys_every_byte_of_every_connection_is_unchanged(ulong seed)
    {
        var recording = Generate(seed);
        var before = ConnectionTraffic.Of(recording.Events).ToDictionary(c => c.Key, c => (Sent: Latin1(c.Value.Sent), Received: Latin1(c.Value.Received)));
        var keys = recording.Calls.Select(c => c.ApiKey).Distinct().ToList();

        var after = ConnectionTraffic.Of(Run([.. recording.Events]));

        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (id, traffic) in after)
        {
            var expectedSent = keys.Aggregate(before[id].Sent, (text, key) => text.Replace(key, "[REDACTED:key]", StringComparison.Ordinal));
            Assert.Equal(Normalize(expectedSent), Normalize(Latin1(traffic.Sent)));
            Assert.Equal(before[id].Received, Latin1(traffic.Received));
        }
    }

    [Fact]
    public void The_answers_and_requests_stay_readable()
    {
        var recording = Generate(5);

        var text = string.Concat(Run([.. recording.Events]).Where(e => e.Data is TlsPayload).Select(Text));

        foreach (var call in recording.Calls)
        {
            Assert.Contains(call.Model, text, StringComparison.Ordinal);
            Assert.Contains(call.Host, text, StringComparison.Ordinal);
        }
        Assert.Contains("HTTP/1.1 200 OK", text, StringComparison.Ordinal);
    }

    private static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
