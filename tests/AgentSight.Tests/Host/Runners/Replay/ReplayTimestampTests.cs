using System.Text;
using AgentSight.Contracts;
using AgentSight.Host.Runners.Replay;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static AgentSight.Tests.Runners.ReplayHarness;

namespace AgentSight.Tests.Runners;

/// <summary>Recorded timestamps in any of the original's units become Unix epoch nanoseconds, spacing intact.</summary>
public sealed class ReplayTimestampTests
{
    private static readonly DateTimeOffset Boot = new(2025, 7, 14, 9, 0, 0, TimeSpan.Zero);

    private static long Ns(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).Ticks * 100;

    private static string Process(long timestamp, int pid = 5001) =>
        $$"""{"timestamp":{{timestamp}},"event":"EXEC","comm":"claude","pid":{{pid}},"ppid":1,"filename":"/usr/bin/node"}""";

    private static string Ours(long timestamp) => RunnerHarness.Line(Some.JsonEvent("test", timestamp: timestamp));

    /// <summary>An ssl line of the original FakeRunner: epoch milliseconds, and timestamp_ns = ms × 1e6 in its data.</summary>
    private static string FakeRunner(long milliseconds) =>
        $$"""{"comm":"python","data":{"comm":"python","data":"POST /v1/chat/completions HTTP/1.1\r\nAuthorization: Bearer sk-test-key\r\n\r\n{}","function":"WRITE/SEND","is_handshake":false,"latency_ms":0.1,"len":70,"pid":12345,"tid":12345,"time_s":{{milliseconds / 1000.0}},"timestamp_ns":{{milliseconds * 1_000_000}},"truncated":false,"uid":1000},"pid":12345,"source":"ssl","timestamp":{{milliseconds}}}""";

    [Fact]
    public async Task Epoch_nanoseconds_are_kept_as_they_are()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Ours(Some.Epoch), Ours(Some.Epoch + 1_234));

        var replay = await ReplayFileAsync(path);

        Assert.Equal([Some.Epoch, Some.Epoch + 1_234], replay.Events.Select(e => e.Timestamp));
    }

    [Fact]
    public async Task Original_FakeRunner_milliseconds_are_recognised_and_scaled()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, FakeRunner(1_732_442_400_000), FakeRunner(1_732_442_400_500));

        var replay = await ReplayFileAsync(path);

        Assert.Equal([1_732_442_400_000_000_000, 1_732_442_400_500_000_000], replay.Events.Select(e => e.Timestamp));
        Assert.Equal(new DateTimeOffset(2024, 11, 24, 10, 0, 0, TimeSpan.Zero), DateTimeOffset.UnixEpoch.AddTicks(replay.Events[0].Timestamp / 100));
    }

    [Fact]
    public async Task Boot_relative_timestamps_get_the_given_boot_time()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Process(86_470_000_000_000), Process(86_470_000_000_001), Process(86_480_000_000_000));

        var replay = await ReplayFileAsync(path, bootTime: Boot);

        Assert.Equal([Ns(Boot) + 86_470_000_000_000, Ns(Boot) + 86_470_000_000_001, Ns(Boot) + 86_480_000_000_000],
            replay.Events.Select(e => e.Timestamp));
    }

    [Fact]
    public async Task Without_a_boot_time_the_newest_boot_timestamp_is_placed_at_the_files_last_write()
    {
        using var folder = TempFolder.ForCaller();
        // Out of order, as merged runners write them: the newest is not the last line.
        var path = WriteLines(folder, Process(86_470_000_000_000), Process(86_490_000_000_000), Process(86_480_000_000_000));
        var lastWrite = new DateTime(2025, 7, 15, 8, 30, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, lastWrite);

        var replay = await ReplayFileAsync(path);

        var written = Ns(new DateTimeOffset(lastWrite));
        Assert.Equal([written - 20_000_000_000, written, written - 10_000_000_000], replay.Events.Select(e => e.Timestamp));
    }

    [Fact]
    public async Task Only_the_last_64_KiB_are_searched_for_the_newest_boot_timestamp()
    {
        using var folder = TempFolder.ForCaller();
        var lines = new List<string> { Process(99_000_000_000_000) };
        lines.AddRange(Enumerable.Range(0, 1_000).Select(i => Process(86_000_000_000_000 + i)));
        var path = WriteLines(folder, [.. lines]);
        Assert.True(new FileInfo(path).Length > 64 * 1024 + 200);
        var lastWrite = new DateTime(2025, 7, 15, 8, 30, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, lastWrite);

        var replay = await ReplayFileAsync(path);

        var written = Ns(new DateTimeOffset(lastWrite));
        Assert.Equal(written, replay.Events[^1].Timestamp);
        Assert.Equal(written + (99_000_000_000_000 - 86_000_000_000_999), replay.Events[0].Timestamp);
    }

    [Fact]
    public async Task Boot_relative_standard_input_places_its_first_event_at_now()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(now);
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(Process(5_000_000_000) + "\n" + Process(5_250_000_000) + "\n"));

        var replay = await ReplayAsync(new ReplayOptions { Path = "-" }, time, () => input);

        Assert.Equal([Ns(now), Ns(now) + 250_000_000], replay.Events.Select(e => e.Timestamp));
    }

    [Fact]
    public async Task A_file_mixing_units_converts_each_line_by_its_own_unit()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Ours(Some.Epoch), FakeRunner(1_732_442_400_000), Process(86_470_000_000_000));

        var replay = await ReplayFileAsync(path, bootTime: Boot);

        Assert.Equal([Some.Epoch, 1_732_442_400_000_000_000, Ns(Boot) + 86_470_000_000_000], replay.Events.Select(e => e.Timestamp));
    }

    [Fact]
    public async Task Forced_nanoseconds_keep_even_small_values()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Process(86_470_000_000_000), FakeRunner(1_732_442_400_000));

        var replay = await ReplayFileAsync(path, ReplayTimestampMode.Ns, bootTime: Boot);

        Assert.Equal([86_470_000_000_000, 1_732_442_400_000], replay.Events.Select(e => e.Timestamp));
    }

    [Fact]
    public async Task Forced_milliseconds_scale_every_line()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Process(1_732_442_400_000), Process(1_732_442_400_001));

        var replay = await ReplayFileAsync(path, ReplayTimestampMode.Ms);

        Assert.Equal([1_732_442_400_000_000_000, 1_732_442_400_001_000_000], replay.Events.Select(e => e.Timestamp));
    }

    [Fact]
    public async Task Milliseconds_too_large_to_scale_make_a_bad_line()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Process(long.MaxValue / 10), Process(1_000));

        var replay = await ReplayFileAsync(path, ReplayTimestampMode.Ms);

        Assert.Equal([1_000_000_000L], replay.Events.Select(e => e.Timestamp));
        Assert.Contains("out of range", Assert.Single(replay.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forced_boot_time_moves_every_line_even_large_ones()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Process(200_000_000_000_000_000));

        var replay = await ReplayFileAsync(path, ReplayTimestampMode.Boot, bootTime: Boot);

        Assert.Equal(Ns(Boot) + 200_000_000_000_000_000, Assert.Single(replay.Events).Timestamp);
    }

    [Fact]
    public async Task Each_conversion_is_logged_once_with_how_to_override_it()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Process(1_000), Process(2_000), Ours(Some.Epoch), Process(3_000), Ours(Some.Epoch + 1));

        var replay = await ReplayFileAsync(path, bootTime: Boot);

        var boot = Assert.Single(replay.Information, m => m.Contains("since boot", StringComparison.Ordinal));
        Assert.Contains("2025-07-14T09:00:00", boot, StringComparison.Ordinal);
        Assert.Contains("--timestamps", boot, StringComparison.Ordinal);
        Assert.Contains("--boot-time", boot, StringComparison.Ordinal);
        var epoch = Assert.Single(replay.Information, m => m.Contains("epoch nanoseconds", StringComparison.Ordinal));
        Assert.Contains("--timestamps", epoch, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_replay_clock_ends_at_the_newest_event()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Ours(Some.Epoch + 5), Ours(Some.Epoch + 9), Ours(Some.Epoch + 7));

        var replay = await ReplayFileAsync(path);

        Assert.Equal(Some.Epoch + 9, replay.Clock.Now);
    }
}
