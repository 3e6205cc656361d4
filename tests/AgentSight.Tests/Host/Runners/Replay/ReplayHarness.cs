using System.Text;
using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners.Replay;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AgentSight.Tests.Runners;

/// <summary>What one replay produced: events, bad-line count, log and clock.</summary>
internal sealed class ReplayResult
{
    public required IReadOnlyList<AgentEvent> Events { get; init; }

    public required long BadLines { get; init; }

    public required long Produced { get; init; }

    public required RecordingLogger<ReplayRunner> Log { get; init; }

    public required EventTimeClock Clock { get; init; }

    public IReadOnlyList<string> Warnings => [.. Log.At(LogLevel.Warning).Select(e => e.Message)];

    public IReadOnlyList<string> Information => [.. Log.At(LogLevel.Information).Select(e => e.Message)];

    public TlsPayload Tls(int index) => Assert.IsType<TlsPayload>(Events[index].Data);

    public JsonPayload Json(int index) => Assert.IsType<JsonPayload>(Events[index].Data);
}

internal static class ReplayHarness
{
    public static async Task<ReplayResult> ReplayAsync(ReplayOptions options, TimeProvider? time = null, Func<Stream>? standardInput = null,
        CollectingTarget? target = null, CancellationToken stop = default)
    {
        var log = new RecordingLogger<ReplayRunner>();
        var clock = new EventTimeClock();
        var runner = new ReplayRunner(options, clock, log, time, standardInput);
        var (events, metrics) = await RunnerHarness.RunAsync(runner, target, stop);
        return new ReplayResult
        {
            Events = events,
            BadLines = metrics.Counter("bad_lines").Value,
            Produced = metrics.Produced,
            Log = log,
            Clock = clock,
        };
    }

    public static Task<ReplayResult> ReplayFileAsync(string path, ReplayTimestampMode timestamps = ReplayTimestampMode.Auto,
        DateTimeOffset? bootTime = null) =>
        ReplayAsync(new ReplayOptions { Path = path, Timestamps = timestamps, BootTime = bootTime });

    /// <summary>Writes lines joined by LF, with a final LF.</summary>
    public static string WriteLines(TempFolder folder, params string[] lines)
    {
        var path = folder.Combine("recording.jsonl");
        File.WriteAllText(path, string.Join('\n', lines) + "\n", new UTF8Encoding(false));
        return path;
    }

    public static string WriteBytes(TempFolder folder, byte[] bytes)
    {
        var path = folder.Combine("recording.jsonl");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
