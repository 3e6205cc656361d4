using AgentSight.Contracts;
using AgentSight.Host.Runners.Replay;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Logging;
using static AgentSight.Tests.Runners.ReplayHarness;

namespace AgentSight.Tests.Runners;

/// <summary>Bad lines are skipped, counted and reported by line number; everything else still arrives.</summary>
public sealed class ReplayBadLinesTests
{
    private static string Valid(int n) => RunnerHarness.Line(Some.JsonEvent("test", new() { ["n"] = n }, timestamp: Some.Epoch + n));

    [Fact]
    public async Task Bad_lines_are_skipped_counted_and_reported_while_the_valid_lines_arrive_in_order()
    {
        using var folder = TempFolder.ForCaller();
        string[] lines =
        [
            Valid(1),
            "this is not json",
            "[1,2,3]",
            """{"source":"ssl","pid":1,"comm":"x","data":{}}""",
            Valid(5),
            """{"timestamp":"soon","event":"EXEC","comm":"bash","pid":1}""",
            """{"function":"READ/RECV","timestamp_ns":1,"comm":"x","pid":"abc","len":1,"data":"a","truncated":false}""",
            """{"function":"SSL_READ","timestamp_ns":1,"comm":"x","pid":1,"len":1,"data":"a","truncated":false}""",
            """{"hello":"world"}""",
            """{"timestamp":1,"source":"ssl","source":"process","pid":1,"comm":"x","data":{}}""",
            """{"timestamp":86470100000000,"event":"BASH_READLINE","comm":"bash","pid":5002,"command":"echo "hi""}""",
            """{"timestamp":1,"source":"test","pid":1,"comm":"x","data":{"a":1}""",
            Valid(13),
        ];
        var path = WriteLines(folder, lines);

        var replay = await ReplayFileAsync(path);

        Assert.Equal([1, 5, 13], replay.Events.Select(e => (int)e.Fields!["n"]!));
        Assert.Equal(10, replay.BadLines);
        Assert.Equal(3, replay.Produced);
        var reported = replay.Log.At(LogLevel.Warning).Select(e => Convert.ToInt64(e.Values["Line"])).ToList();
        Assert.Equal([2L, 3, 4, 6, 7, 8, 9, 10, 11, 12], reported);
        Assert.All(replay.Warnings, w => Assert.Contains(path, w));
    }

    [Theory]
    [InlineData("this is not json", "invalid JSON")]
    [InlineData("42", "not a JSON object")]
    [InlineData("""{"source":"ssl","pid":1,"comm":"x","data":{}}""", "timestamp")]
    [InlineData("""{"timestamp":1,"event":"EXEC","comm":"bash","pid":"1"}""", "pid")]
    [InlineData("""{"timestamp":1,"event":"EXIT","pid":1}""", "comm")]
    [InlineData("""{"function":"SSL_READ","timestamp_ns":1,"comm":"x","pid":1,"len":1,"data":"a"}""", "SSL_READ")]
    [InlineData("""{"hello":"world"}""", "not an event")]
    public async Task The_warning_says_why_a_line_is_bad(string line, string reason)
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, line);

        var replay = await ReplayFileAsync(path);

        Assert.Empty(replay.Events);
        var warning = Assert.Single(replay.Warnings);
        Assert.Contains(reason, warning, StringComparison.Ordinal);
        Assert.Contains(":1: skipped bad line", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_twenty_bad_lines_the_rest_are_counted_and_summarised_once()
    {
        using var folder = TempFolder.ForCaller();
        var lines = new List<string> { Valid(0) };
        lines.AddRange(Enumerable.Range(0, 27).Select(i => $"garbage {i}"));
        lines.Add(Valid(1));
        var path = WriteLines(folder, [.. lines]);

        var replay = await ReplayFileAsync(path);

        Assert.Equal(2, replay.Events.Count);
        Assert.Equal(27, replay.BadLines);
        Assert.Equal(20, replay.Warnings.Count(w => w.Contains(": skipped bad line: ", StringComparison.Ordinal)));
        var summary = Assert.Single(replay.Warnings, w => w.Contains("not shown", StringComparison.Ordinal));
        Assert.Contains("7 more bad lines not shown", summary, StringComparison.Ordinal);
        Assert.Contains("27", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_of_only_bad_lines_replays_nothing_and_does_not_fail()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, "{", "}", "{\"timestamp\":");

        var replay = await ReplayFileAsync(path);

        Assert.Empty(replay.Events);
        Assert.Equal(3, replay.BadLines);
    }

    [Fact]
    public async Task A_line_that_is_not_valid_UTF8_is_a_bad_line()
    {
        using var folder = TempFolder.ForCaller();
        byte[] bad = [.. """{"timestamp":1,"source":"test","pid":1,"comm":"""u8, (byte)'"', 0xff, 0xfe, (byte)'"', .. ""","data":{}}"""u8];
        var path = WriteBytes(folder, [.. bad, (byte)'\n', .. System.Text.Encoding.UTF8.GetBytes(Valid(2)), (byte)'\n']);

        var replay = await ReplayFileAsync(path);

        Assert.Equal(1, replay.BadLines);
        Assert.Equal(2, (int)Assert.Single(replay.Events).Fields!["n"]!);
    }

    [Fact]
    public async Task The_bad_line_counter_is_the_runners_own()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, "x", Valid(1));
        var metrics = new Host.Runners.RunnerMetrics("replay");
        var runner = new ReplayRunner(new ReplayOptions { Path = path }, new Host.Pipeline.EventTimeClock(), new RecordingLogger<ReplayRunner>());

        await runner.RunAsync(new Host.Pipeline.PipelineInput(new CollectingTarget()), metrics, CancellationToken.None);

        var snapshot = metrics.Snapshot();
        Assert.Equal("replay", snapshot.Name);
        Assert.Equal(1, snapshot.Produced);
        Assert.Equal(1, snapshot.Counters["bad_lines"]);
    }
}
