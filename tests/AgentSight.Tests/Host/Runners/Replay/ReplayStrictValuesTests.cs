using AgentSight.Contracts;
using AgentSight.Host.Runners.Replay;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Logging;
using static AgentSight.Tests.Runners.ReplayHarness;

namespace AgentSight.Tests.Runners;

/// <summary>
/// Values no recorder writes are bad lines, reported with their line number, never events: a pid or tid that does
/// not fit (it would wrap into another process's), a negative pid or timestamp, an <c>ssl</c> line without its
/// <c>function</c> or an <c>http_body</c> line without its fields (they would be events of no known shape).
/// </summary>
public sealed class ReplayStrictValuesTests
{
    private static string Valid(int n) => RunnerHarness.Line(Some.JsonEvent("test", new() { ["n"] = n }, timestamp: Some.Epoch + n));

    [Theory]
    [InlineData("""{"timestamp":1795514400000000000,"source":"test","pid":99999999999,"tid":1,"comm":"x","data":{}}""", "\"pid\" 99999999999 is not a process id")]
    [InlineData("""{"timestamp":1795514400000000000,"source":"test","pid":-5,"tid":1,"comm":"x","data":{}}""", "\"pid\" -5 is not a process id")]
    [InlineData("""{"timestamp":1795514400000000000,"source":"test","pid":5,"tid":4294967296,"comm":"x","data":{}}""", "\"tid\" 4294967296 is not a thread id")]
    [InlineData("""{"timestamp":-1795514400000000000,"source":"test","pid":5,"tid":5,"comm":"x","data":{}}""", "\"timestamp\" -1795514400000000000 is negative")]
    [InlineData("""{"timestamp":1795514400000000000,"source":"ssl","pid":5,"tid":5,"comm":"x","data":{"len":3,"data":"abc"}}""", "ssl \"data\" has no \"function\"")]
    [InlineData("""{"timestamp":1795514400000000000,"source":"http_body","pid":5,"tid":5,"comm":"x","data":{"offset":0}}""", "http_body \"data\" lacks")]
    [InlineData("""{"function":"READ/RECV","timestamp_ns":1795514400000000000,"comm":"x","pid":4294967295,"tid":1,"len":1,"data":"a","truncated":false}""", "\"pid\" 4294967295 is not a process id")]
    [InlineData("""{"function":"READ/RECV","timestamp_ns":1795514400000000000,"comm":"x","pid":5,"tid":-2,"len":1,"data":"a","truncated":false}""", "\"tid\" -2 is not a thread id")]
    [InlineData("""{"function":"READ/RECV","timestamp_ns":-7,"comm":"x","pid":5,"tid":5,"len":1,"data":"a","truncated":false}""", "\"timestamp_ns\" -7 is negative")]
    [InlineData("""{"timestamp":86470100000000,"event":"EXEC","comm":"bash","pid":-1}""", "\"pid\" -1 is not a process id")]
    [InlineData("""{"timestamp":-1,"event":"EXEC","comm":"bash","pid":12}""", "\"timestamp\" -1 is negative")]
    public async Task A_value_no_recorder_writes_makes_a_bad_line_with_its_number_and_reason(string line, string reason)
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder, Valid(1), line, Valid(3));

        var replay = await ReplayFileAsync(path);

        Assert.Equal([1, 3], replay.Events.Select(e => (int)e.Fields!["n"]!));
        Assert.Equal(1, replay.BadLines);
        var warning = Assert.Single(replay.Log.At(LogLevel.Warning));
        Assert.Equal(2L, Convert.ToInt64(warning.Values["Line"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(reason, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pid_zero_and_the_largest_pid_are_still_events()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder,
            """{"timestamp":1795514400000000000,"source":"session","pid":0,"tid":0,"comm":"","data":{"kind":"recorded_session"}}""",
            """{"timestamp":1795514400000000001,"source":"test","pid":2147483647,"tid":2147483647,"comm":"x","data":{}}""");

        var replay = await ReplayFileAsync(path);

        Assert.Equal(0, replay.BadLines);
        Assert.Equal([0, int.MaxValue], replay.Events.Select(e => e.Pid));
    }

    [Fact]
    public async Task An_ssl_line_with_its_function_is_still_a_tls_event()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder,
            """{"timestamp":1795514400000000000,"source":"ssl","pid":5,"tid":5,"comm":"x","data":{"function":"READ/RECV","len":3,"data":"abc"}}""");

        var replay = await ReplayFileAsync(path);

        Assert.Equal(0, replay.BadLines);
        Assert.IsType<TlsPayload>(Assert.Single(replay.Events).Data);
    }
}
