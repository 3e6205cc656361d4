using AgentSight.Host.Capture;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Tests.Capture;

/// <summary>
/// While a capture runs, the host's analyzers and sinks run at a lower priority than the traced programs, its capture
/// threads at the host's own; when the capture would wait for the pipeline, the pipeline gets the host's priority back
/// until it has kept up for a while.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class PipelinePriorityTests
{
    [Fact]
    public async Task While_a_recording_runs_its_pipeline_threads_run_at_nice_19_and_its_capture_threads_at_the_hosts_priority()
    {
        var threads = await ThreadsSeenByTheCommandAsync([]);

        Assert.Contains(threads, t => t.Name == ".NET TP Worker");
        Assert.All(threads.Where(t => t.Name.StartsWith(".NET TP Worker", StringComparison.Ordinal)), t => Assert.Equal(19, t.Nice));
        Assert.Equal(0, Assert.Single(threads, t => t.Name == "agentsight-capt").Nice);
        Assert.All(threads.Where(t => t.Name.StartsWith("agentsight-", StringComparison.Ordinal)), t => Assert.Equal(0, t.Nice));
    }

    [Fact]
    public async Task With_pipeline_nice_0_every_thread_keeps_the_hosts_priority()
    {
        var threads = await ThreadsSeenByTheCommandAsync(["--pipeline-nice", "0"]);

        Assert.Contains(threads, t => t.Name == ".NET TP Worker");
        Assert.All(threads, t => Assert.Equal(0, t.Nice));
    }

    [Fact]
    public async Task A_nice_value_out_of_range_is_refused_before_anything_starts()
    {
        using var folder = TempFolder.ForCaller();
        var (code, _, stderr) = await HostProcess.RunAsync(
            ["--plugins", Artifacts.PluginsDirectory, "record", "--no-server", "-q", "--pipeline-nice", "20", "-o", folder.Combine("s.jsonl"), "--", "/bin/true"],
            folder.Path, TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, code);
        Assert.Contains("--pipeline-nice must be between 0", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.Combine("s.jsonl")));
    }

    [Fact]
    public void Lowered_threads_get_the_hosts_priority_back_when_the_capture_would_wait_and_are_lowered_again_after_a_calm_spell()
    {
        var threads = new FakeThreads(("dotnet", 1), (".NET TP Worker", 2), ("agentsight-capt", 3), (".NET Timer", 4));
        var now = 0L;
        var priority = new PipelinePriority(19, NullLogger.Instance, threads, () => now);

        priority.Lower();
        Assert.Equal([19, 19, 0, 19], threads.Nice);

        // A thread started since (by one still at the host's priority) is lowered at the next scan, within a second.
        threads.Start(".NET TP Worker", 5);
        now += 500;
        priority.Tick();
        Assert.Equal(0, threads.NiceOf(5));
        now += 600;
        priority.Tick();
        Assert.Equal(19, threads.NiceOf(5));

        // A burst: the capture waits a little, now and then; the rings hold it and the pipeline stays lowered.
        for (var i = 0; i < 10; i++)
        {
            now += 100;
            priority.Waited(TimeSpan.FromMilliseconds(50));
        }
        Assert.True(priority.IsLowered);
        Assert.Equal(0, priority.TimesRaised);

        // Waiting most of a quarter of a second, told 20 ms at a time: the pipeline falls behind, and is raised.
        now += 1000;
        for (var i = 0; i < 9; i++)
        {
            now += 20;
            priority.Waited(TimeSpan.FromMilliseconds(20));
            Assert.True(priority.IsLowered, $"raised after {20 * (i + 1)} ms");
        }
        now += 20;
        priority.Waited(TimeSpan.FromMilliseconds(20));
        Assert.Equal([0, 0, 0, 0, 0], threads.Nice);
        Assert.Equal(1, priority.TimesRaised);
        Assert.False(priority.IsLowered);

        // Still behind 4 s later: stays raised; 5 s after the last wait it is lowered again.
        now += 4000;
        priority.Waited(PipelinePriority.Patience);
        now += 4900;
        priority.Tick();
        Assert.Equal([0, 0, 0, 0, 0], threads.Nice);
        now += 100;
        priority.Tick();
        Assert.Equal([19, 19, 0, 19, 19], threads.Nice);
        Assert.Equal(1, priority.TimesRaised);

        // Behind again: the calm spell asked for doubles, to 10 s.
        priority.Waited(PipelinePriority.Patience);
        Assert.Equal(2, priority.TimesRaised);
        now += 9_900;
        priority.Tick();
        Assert.False(priority.IsLowered);
        now += 100;
        priority.Tick();
        Assert.True(priority.IsLowered);

        // The end: the host's priority back for the last events, and it stays there.
        priority.Restore();
        now += 10_000;
        priority.Tick();
        priority.Lower();
        Assert.Equal([0, 0, 0, 0, 0], threads.Nice);
    }

    [Fact]
    public void Nothing_is_lowered_when_the_host_runs_at_that_nice_already_or_could_not_raise_its_threads_back()
    {
        var niced = new FakeThreads(("dotnet", 1), (".NET TP Worker", 2)) { ProcessNiceValue = 19 };
        var unprivileged = new FakeThreads(("dotnet", 1), (".NET TP Worker", 2)) { CanRaise = false };

        foreach (var threads in new[] { niced, unprivileged })
        {
            var priority = new PipelinePriority(19, NullLogger.Instance, threads, () => 0);
            priority.Lower();
            Assert.False(priority.Enabled);
            Assert.Equal(0, threads.Changes);
        }
    }

    private static async Task<IReadOnlyList<(string Name, int Nice)>> ThreadsSeenByTheCommandAsync(string[] options)
    {
        using var folder = TempFolder.ForCaller();
        var listing = folder.Combine("threads.txt");
        // The command's parent is the host; it looks a moment after it starts, once the capture has settled.
        var script = "sleep 0.5; for t in /proc/$PPID/task/*; do printf '%s|%s\\n' \"$(cat $t/comm)\" \"$(sed 's/.*) //' $t/stat | cut -d' ' -f17)\"; done > " + listing;
        var (code, stdout, stderr) = await HostProcess.RunAsync(
            ["--plugins", Artifacts.PluginsDirectory, "record", "--no-server", "-q", .. options, "-o", folder.Combine("s.jsonl"), "--", "/bin/sh", "-c", script],
            folder.Path, TimeSpan.FromSeconds(120));
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        return [.. File.ReadAllLines(listing).Select(line => line.Split('|')).Select(p => (p[0], int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))];
    }

    /// <summary>Threads and their nice values in memory.</summary>
    private sealed class FakeThreads : IThreadNice
    {
        private readonly List<(string Name, int Tid)> _threads;
        private readonly Dictionary<int, int> _nice = [];

        public FakeThreads(params (string Name, int Tid)[] threads)
        {
            _threads = [.. threads];
            foreach (var (_, tid) in threads)
            {
                _nice[tid] = 0;
            }
        }

        public int ProcessNiceValue { get; init; }

        public bool CanRaise { get; init; } = true;

        public int Changes { get; private set; }

        public List<int> Nice => [.. _threads.Select(t => _nice[t.Tid])];

        public int NiceOf(int tid) => _nice[tid];

        public void Start(string name, int tid)
        {
            _threads.Add((name, tid));
            _nice[tid] = 0;
        }

        public int ProcessNice() => ProcessNiceValue;

        public IEnumerable<(int Tid, string Name)> Threads() => _threads.Select(t => (t.Tid, t.Name)).ToList();

        public bool TrySet(int tid, int nice)
        {
            Changes++;
            _nice[tid] = nice;
            return true;
        }
    }
}
