using System.Text;
using AgentSight.Host.Capture;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>
/// Resource samples of a recorded command: its CPU time and resident memory read from /proc while it runs, as
/// <c>resource</c> events in the session, for the command and its children.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class ResourceSamplingTests
{
    // 2.4 s of CPU (measured as CPU time, so a loaded machine stretches it instead of cutting it short) while it grows
    // by 8 MiB every 0.1 s of it, to 192 MiB (bytes written, so resident), with a short child now and then that exits
    // between two samples.
    private const string BurnAndGrow = """
        import subprocess, time
        chunks = []
        for i in range(24):
            chunks.append(b'x' * (8 << 20))
            if i % 8 == 0:
                subprocess.run(['/bin/true'])
            t = time.process_time() + 0.1
            while time.process_time() < t:
                pass
        """;

    [Fact]
    public async Task A_command_that_burns_cpu_and_grows_is_sampled_with_rising_cpu_time_and_memory()
    {
        using var recorder = Recorder.Create();

        var result = await recorder.RecordAsync(["--resource-interval", "250"], CaptureEnvironment.Python, "-c", BurnAndGrow);

        Assert.True(result.ExitCode == 0, result.Explain());
        var python = Assert.Single(result.Process("EXEC"), e => e.Argv.Count > 1 && e.Argv[1] == "-c");
        var samples = result.Events.Where(e => e.Source == "resource" && e.Pid == python.Pid).OrderBy(e => e.Timestamp).ToList();
        Assert.True(samples.Count >= 8, $"{samples.Count} samples of pid {python.Pid}; {result.Explain()}");
        Assert.All(samples, s => Assert.Equal("python3", s.Comm));

        long Cpu(CapturedEvent s) => (long)s.Data["cpu_user_ms"]! + (long)s.Data["cpu_system_ms"]!;
        long Rss(CapturedEvent s) => (long)s.Data["rss_bytes"]!;
        // Cumulative CPU never goes back, and about 3 s of it were spent.
        Assert.All(samples.Zip(samples.Skip(1)), pair => Assert.True(Cpu(pair.Second) >= Cpu(pair.First), $"{pair.First} then {pair.Second}"));
        // Most of its 2.4 s of CPU fell between the first sample and the last (each within 0.25 s of wall time of an end).
        Assert.True(Cpu(samples[^1]) - Cpu(samples[0]) >= 1500, $"{Cpu(samples[0])} ms then {Cpu(samples[^1])} ms");
        Assert.True(samples.Select(Cpu).Distinct().Count() >= 4, string.Join(", ", samples.Select(Cpu)));
        // A busy loop: a core busy as far as the machine lets it (tests share two cores with other work).
        var percents = samples.Skip(1).Select(s => (double?)s.Data["cpu_percent"] ?? 0).ToList();
        Assert.True(percents.Max() >= 40, string.Join(", ", percents));
        Assert.All(percents, p => Assert.InRange(p, 0, (100 * Environment.ProcessorCount) + 5));
        // 192 MiB at its peak, far more than at the start. Not the last sample: it may fall in Python's exit, after the
        // interpreter has freed its objects (seen once: 27 MB then 10 MB).
        Assert.True(samples.Max(Rss) > 150L << 20, $"peak RSS {samples.Max(Rss)} bytes");
        Assert.True(samples.Max(Rss) - Rss(samples[0]) > 100L << 20, $"RSS {Rss(samples[0])} first, {samples.Max(Rss)} at the peak");
        Assert.All(samples, s => Assert.True((long)s.Data["threads"]! >= 1));
        // The session's timestamps are wall clock, inside the command's life.
        var exit = Assert.Single(result.Process("EXIT"), e => e.Pid == python.Pid);
        Assert.All(samples, s => Assert.InRange(s.Timestamp, python.Timestamp - 50_000_000, exit.Timestamp + 50_000_000));
        // Short children that came and went between samples are no error.
        Assert.DoesNotMatch(@"\d (ERR|FTL)\] ", result.Stderr);
        Assert.Contains(result.Process("EXEC"), e => e.Argv.SequenceEqual(["/bin/true"]));
    }

    [Fact]
    public async Task Resource_sampling_can_be_turned_off_and_a_wrong_interval_is_refused_before_anything_starts()
    {
        using var recorder = Recorder.Create();

        var off = await recorder.RecordAsync(["--resource-interval", "0"], "/bin/sh", "-c", "sleep 1.2");
        Assert.True(off.ExitCode == 0, off.Explain());
        Assert.DoesNotContain(off.Events, e => e.Source == "resource");
        Assert.NotEmpty(off.Process("EXEC"));

        var (code, _, stderr) = await HostProcess.RunAsync([.. recorder.Global, "record", "--resource-interval", "-5", "--", "/bin/true"], recorder.Folder.Path);
        Assert.Equal(2, code);
        Assert.Contains("--resource-interval must be between 0 (off) and 3600000 ms, got -5", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4242 (python3) R 1 4242 4242 0 -1 4194304 9000 0 0 0 250 31 0 0 20 0 3 0 123456 250000000 61035 18446744073709551615\n",
        "python3", 'R', 250, 31, 3, 123456, 61035)]
    [InlineData("77 (a (b) c) S 1 77 77 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 99 1000 5 0 0 0\n", "a (b) c", 'S', 1, 2, 1, 99, 5)]
    public void A_stat_line_is_read_from_its_last_parenthesis_whatever_the_name(string line, string comm, char state, long user, long system,
        long threads, long start, long rss)
    {
        Assert.True(ProcStat.TryParse(Encoding.ASCII.GetBytes(line), out var stat));
        Assert.Equal(comm, Encoding.UTF8.GetString(stat.Comm));
        Assert.Equal((byte)state, stat.State);
        Assert.Equal((user, system, threads, start, rss), (stat.UserTicks, stat.SystemTicks, stat.Threads, stat.StartTicks, stat.RssPages));
    }

    [Theory]
    [InlineData("")]
    [InlineData("4242 (python3")]
    [InlineData("4242 (python3) R 1 4242 4242 0 -1 4194304 9000 0 0 0 250 31")]
    [InlineData("4242 (python3) R 1 4242 4242 0 -1 4194304 9000 0 0 0 2x0 31 0 0 20 0 3 0 123456 250000000 61035 1\n")]
    public void A_cut_or_garbled_stat_line_is_no_sample(string line) => Assert.False(ProcStat.TryParse(Encoding.ASCII.GetBytes(line), out _));
}
