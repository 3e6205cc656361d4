using System.Text;
using AgentSight.Contracts;
using AgentSight.Traffic;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Runners.ReplayHarness;

namespace AgentSight.Tests.Runners;

/// <summary>The recordings shipped in samples/ replay as their README says.</summary>
public sealed class BundledSamplesTests
{
    [Fact]
    public async Task The_session_sample_replays_without_bad_lines_into_complete_HTTPS_exchanges()
    {
        var path = Artifacts.Sample("llm-session.jsonl");

        var replay = await ReplayFileAsync(path);

        Assert.Equal(0, replay.BadLines);
        Assert.Equal(File.ReadLines(path).Count(), replay.Events.Count);
        Assert.All(replay.Events, e => Assert.Equal("ssl", e.Source));
        Assert.All(replay.Events, e => Assert.Equal(2026, DateTimeOffset.UnixEpoch.AddTicks(e.Timestamp / 100).Year));

        var exchanges = 0;
        var hosts = new HashSet<string>();
        foreach (var traffic in ConnectionTraffic.Of(replay.Events).Values)
        {
            var requests = traffic.Requests();
            var responses = traffic.Responses();
            Assert.Equal(requests.Count, responses.Count);
            foreach (var (request, response) in requests.Zip(responses))
            {
                var host = request.Header("Host")!;
                hosts.Add(host);
                var provider = ProviderOf(host, request.StartLine);
                var answer = response.Chunked
                    ? DecodedAnswer.FromStream(provider, SseEvent.ParseAll(response.BodyText).Events)
                    : DecodedAnswer.FromBody(provider, response.BodyText);
                Assert.True(answer.Text.Length > 0 || answer.ToolCalls.Count > 0, $"an empty answer from {host}");
                Assert.True(answer.InputTokens > 0 && answer.OutputTokens > 0);
                exchanges++;
            }
        }
        Assert.Equal(12, exchanges);
        Assert.Equal(["api.anthropic.com", "api.openai.com", "generativelanguage.googleapis.com"], hosts.Order());
    }

    [Fact]
    public async Task The_collector_log_sample_replays_every_kind_of_line_without_bad_lines()
    {
        var path = Artifacts.Sample("original/collector.log");

        var replay = await ReplayFileAsync(path, bootTime: new DateTimeOffset(2025, 7, 13, 10, 0, 0, TimeSpan.Zero));

        Assert.Equal(0, replay.BadLines);
        Assert.Equal(File.ReadLines(path).Count(), replay.Events.Count);
        Assert.Equal(["http_parser", "process", "sse_processor", "ssl"], replay.Events.Select(e => e.Source).Distinct().Order());
        var tls = replay.Events.Select(e => e.Data).OfType<TlsPayload>().ToList();
        var handshake = Assert.Single(tls, t => t.Direction == TlsDirection.Handshake);
        Assert.False(handshake.HasBytes);
        Assert.Contains(tls, t => t.Bytes.Span.SequenceEqual((byte[])[0x1f, 0xc2, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03]));
        Assert.All(tls.Where(t => t.HasBytes && !t.Bytes.Span.StartsWith((byte[])[0x1f])), t => Assert.Equal(t.Length, t.Bytes.Length));
        Assert.Equal("Hello world", (string?)replay.Events.Single(e => e.Source == "sse_processor").Fields!["text_content"]);
        Assert.All(replay.Events, e => Assert.Equal(new DateOnly(2025, 7, 14), DateOnly.FromDateTime(DateTimeOffset.UnixEpoch.AddTicks(e.Timestamp / 100).UtcDateTime)));
    }

    [Fact]
    public async Task The_sslsniff_sample_replays_to_the_exact_bytes_each_call_returned()
    {
        var path = Artifacts.Sample("original/sslsniff.jsonl");

        var replay = await ReplayFileAsync(path);

        Assert.Equal(0, replay.BadLines);
        Assert.Equal(File.ReadLines(path).Count(), replay.Events.Count);
        var tls = replay.Events.Select(e => (TlsPayload)e.Data).ToList();
        Assert.False(Assert.Single(tls, t => t.Direction == TlsDirection.Handshake).HasBytes);
        var cut = Assert.Single(tls, t => t.Truncated);
        Assert.Equal((524_288, 600_000L, 75_712L), (cut.Bytes.Length, cut.Length, cut.BytesLost));
        // Every other call's captured bytes are exactly as many as it returned: no escape was decoded wrongly.
        Assert.All(tls.Where(t => t.HasBytes && !t.Truncated), t => Assert.Equal(t.Length, t.Bytes.Length));
        Assert.Contains(tls, t => Encoding.UTF8.GetString(t.Bytes.Span).Contains("こんにちは 🎉", StringComparison.Ordinal));
        Assert.Equal(["claude", "python3"], replay.Events.Select(e => e.Comm).Distinct().Order());
    }

    [Fact]
    public async Task The_process_sample_has_exactly_one_bad_line_the_unescaped_bash_command()
    {
        var path = Artifacts.Sample("original/process.jsonl");
        var lines = File.ReadAllLines(path);
        var invalid = Array.FindIndex(lines, l => l.Contains("echo \"hi\"", StringComparison.Ordinal)) + 1;

        var replay = await ReplayFileAsync(path);

        Assert.Equal(1, replay.BadLines);
        Assert.Contains($".jsonl:{invalid}: skipped bad line", Assert.Single(replay.Warnings), StringComparison.Ordinal);
        Assert.Equal(lines.Length - 1, replay.Events.Count);
        Assert.All(replay.Events, e => Assert.Equal("process", e.Source));
        Assert.Equal(["EXEC", "BASH_READLINE", "FILE_OPEN", "FILE_OPEN", "FILE_OPEN", "EXIT", "EXIT"],
            replay.Events.Select(e => (string)e.Fields!["event"]!));
    }

    private static SyntheticProvider ProviderOf(string host, string startLine) => host switch
    {
        "api.anthropic.com" => SyntheticProvider.Anthropic,
        "generativelanguage.googleapis.com" => SyntheticProvider.Gemini,
        _ => startLine.Contains("/v1/responses", StringComparison.Ordinal) ? SyntheticProvider.OpenAiResponses : SyntheticProvider.OpenAi,
    };
}
