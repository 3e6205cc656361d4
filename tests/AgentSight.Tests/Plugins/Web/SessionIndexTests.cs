using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Web.Session;
using AgentSight.Tests.Support;
using static AgentSight.Tests.WebUi.SessionEvents;

namespace AgentSight.Tests.WebUi;

public sealed class SessionIndexTests
{
    private static readonly PipelineView NoPipeline = new(null, [], [], null);

    private static SessionIndex Index(IEnumerable<AgentEvent> events, int maxEvents = 10_000)
    {
        var index = new SessionIndex(maxEvents);
        foreach (var evt in events)
        {
            index.Add(evt, Encoding.UTF8.GetBytes(AgentEventJson.ToJson(evt)), receivedAtMs: 1);
        }
        return index;
    }

    [Fact]
    public void The_overview_counts_calls_tokens_per_model_processes_files_and_errors()
    {
        using var index = Index(AgentSession());
        var o = index.Overview(NoPipeline, "web");

        Assert.Equal(2, o.Llm.Calls);
        Assert.Equal(1, o.Llm.Errors);
        Assert.Equal(2500, o.Llm.InputTokens);
        Assert.Equal(200, o.Llm.OutputTokens);
        var model = Assert.Single(o.Llm.Models);
        Assert.Equal("claude-opus-4-1-20250805", model.Model);
        Assert.Equal(1500, model.AvgDurationMs);
        Assert.Equal(3, o.Processes.Count);
        Assert.Equal(1, o.Processes.Failed);
        Assert.Equal(1, o.Processes.Running);
        Assert.Equal(3, o.Files.Paths);
        Assert.Equal(1, o.Files.Written);
        // Reading .env that is not there is a look-up that missed, not an error (ErrorRule).
        Assert.Equal(0, o.Files.Failed);
        Assert.Equal(1, o.Files.Missed);
        Assert.Equal(7_000, o.DurationMs);
        Assert.Equal(["llm_call", "process_exit"], o.Errors.Select(e => e.Kind));
        Assert.Equal("/proj/src/app.ts", Assert.Single(o.FilesWritten).Path);
        Assert.Equal(["claude (200)"], o.FilesWritten[0].By);
    }

    [Fact]
    public void Processes_form_a_tree_with_exit_codes_files_and_the_calls_each_made()
    {
        using var index = Index(AgentSession());
        var list = index.Processes();

        var root = list.Items.Single(p => p.Id == Assert.Single(list.Roots));
        Assert.Equal(100, root.Pid);
        var agent = list.Items.Single(p => p.Pid == 200);
        Assert.Equal(root.Id, agent.ParentId);
        Assert.Equal("claude -p fix it", agent.CommandLine);
        Assert.Equal(0, agent.ExitCode);
        Assert.Equal(2, agent.LlmCalls);
        Assert.Equal(2, agent.Files);
        Assert.Equal(1, agent.FilesWritten);
        Assert.Equal(0, agent.FilesFailed);
        Assert.Equal(1, agent.FilesMissed);
        Assert.Equal(6_900, agent.DurationMs!.Value, 3);
        var npm = list.Items.Single(p => p.Pid == 300);
        Assert.Equal([npm.Id], agent.Children);
        Assert.Equal(1, npm.ExitCode);
        Assert.Equal("npm test", index.Process(npm.Id)!.Process.CommandLine);
        Assert.Equal("/proj/package.json", Assert.Single(index.Process(npm.Id)!.Files).Path);
    }

    [Fact]
    public void A_reused_pid_after_an_exit_is_a_new_process()
    {
        using var index = Index([
            Fork(0, 10, 1, "sh"), Exec(0.1, 10, 1, "make", "make"), Exit(1, 10, 1, "make", 0),
            Fork(5, 10, 1, "sh"), Exec(5.1, 10, 1, "gcc", "gcc", "-c", "x.c"), Exit(6, 10, 1, "gcc", 2),
        ]);
        var items = index.Processes().Items;
        Assert.Equal(["make", "gcc"], items.Select(p => p.Comm));
        Assert.Equal([0, 2], items.Select(p => p.ExitCode ?? -1));
    }

    [Fact]
    public void Calls_are_placed_on_their_exchange_s_real_start_and_end()
    {
        using var index = Index(AgentSession());
        var call = index.Calls(null, null, null, "time", 0, 10).Items[0];
        Assert.Equal(At(0.5), call.StartNs);
        Assert.Equal(At(1.5), call.EndNs);
    }

    [Fact]
    public void A_call_seen_twice_through_a_second_analysis_is_counted_once()
    {
        var session = AgentSession();
        using var index = Index([.. session, .. session.Where(e => e.Source == "llm")]);
        Assert.Equal(2, index.Overview(NoPipeline, "web").Llm.Calls);
    }

    [Fact]
    public void Calls_sort_by_duration_and_filter_by_model_and_text()
    {
        using var index = Index([.. AgentSession(), Http(8, 8.2, 200, "claude", "200:0x1:3"), Llm(8.2, 200, "claude", "200:0x1:3", "claude-haiku-4-5", 10, 5, 200)]);

        Assert.Equal([2, 1, 3], index.Calls(null, null, null, "duration", 0, 10).Items.Select(c => c.Id));
        Assert.Equal([3], index.Calls("claude-haiku-4-5-20250805", null, null, "time", 0, 10).Items.Select(c => c.Id));
        Assert.Equal(3, index.Calls(null, null, new TextMatcher("FIX THE failing"), "time", 0, 10).Total);
        var detail = index.Call(2)!;
        Assert.Equal(529, detail.Http!.Status);
        Assert.Equal("overloaded_error", detail.Call.ErrorType);
    }

    [Fact]
    public void Event_pages_go_from_newest_to_oldest_with_a_cursor_and_count_every_match()
    {
        using var index = Index(Some.Sequence(250));
        var first = index.Events(new EventFilter(), before: null, limit: 100);
        Assert.Equal(250, first.Total);
        Assert.Equal(250, first.Items[0].Seq);
        Assert.Equal(151, first.Items[^1].Seq);
        var second = index.Events(new EventFilter(), first.NextBefore, 100);
        Assert.Equal(150, second.Items[0].Seq);
        var third = index.Events(new EventFilter(), second.NextBefore, 100);
        Assert.Equal(Enumerable.Range(1, 50).Reverse().Select(i => (long)i), third.Items.Select(r => r.Seq));
        Assert.Null(third.NextBefore);
    }

    [Fact]
    public void Event_filters_combine_source_pid_time_and_text()
    {
        using var index = Index(AgentSession());
        var filter = new EventFilter { Pid = 200, From = At(1), To = At(4), Text = new TextMatcher("APP.TS") };
        filter.Sources.Add(EventSources.Process);
        var page = index.Events(filter, null, 10);
        var row = Assert.Single(page.Items);
        Assert.Equal("OPEN /proj/src/app.ts (write+create+truncate)", row.Summary);
    }

    [Fact]
    public void Events_beyond_the_memory_bound_leave_the_log_and_are_counted_as_dropped()
    {
        using var index = Index(Some.Sequence(1500), maxEvents: 1000);
        Assert.Equal(1500, index.LastSeq);
        Assert.True(index.Evicted >= 500);
        var drops = index.Overview(NoPipeline, "web").Drops;
        Assert.Equal(index.Evicted, drops.Total);
        Assert.Equal("evicted_from_memory", Assert.Single(drops.Items).Counter);
        Assert.Null(index.Event(1));
        Assert.NotNull(index.Event(1500));
    }

    [Fact]
    public void The_timeline_gives_one_lane_per_process_in_tree_order_with_calls_and_binned_events()
    {
        using var index = Index(AgentSession());
        var timeline = index.Timeline(null, null, 70);
        Assert.Equal([100, 200, 300], timeline.Lanes.Select(l => l.Pid));
        Assert.Equal([0, 1, 2], timeline.Lanes.Select(l => l.Depth));
        Assert.Equal(2, timeline.Lanes[1].Calls.Count);
        Assert.Equal(AgentSession().Count(e => e.Pid == 200), timeline.Lanes[1].Bins.Sum(b => b[1..].Sum()));

        var zoomed = index.Timeline(At(2), At(3.2), 10);
        Assert.DoesNotContain(zoomed.Lanes[1].Calls, c => c.EndNs < At(2));
        Assert.Empty(zoomed.Lanes[1].Calls);
    }

    [Fact]
    public void Resource_samples_draw_cpu_and_memory_on_their_process_lane_and_give_the_session_peaks()
    {
        AgentEvent Sample(double at, int pid, string comm, double? cpu, long rss) =>
            new(At(at), "resource", pid, 0, comm, new JsonPayload(new JsonObject
            {
                ["cpu_user_ms"] = 100, ["cpu_system_ms"] = 10, ["cpu_percent"] = cpu, ["interval_ms"] = 1000, ["rss_bytes"] = rss, ["threads"] = 1,
            }));
        using var index = Index([.. AgentSession(),
            Sample(1, 200, "claude", 12.5, 40_000_000), Sample(2, 200, "claude", 180, 90_000_000), Sample(3, 200, "claude", 40, 70_000_000),
            Sample(2.5, 300, "npm", 95, 20_000_000)]);

        var o = index.Overview(NoPipeline, "web");
        Assert.Equal((4L, 2), (o.Resources.Samples, o.Resources.Processes));
        Assert.Equal((200, 90_000_000d, At(2)), (o.Resources.PeakRss!.Pid, o.Resources.PeakRss.Value, o.Resources.PeakRss.AtNs));
        Assert.Equal((200, 180d), (o.Resources.PeakCpu!.Pid, o.Resources.PeakCpu.Value));
        // Samples are not events of the lane's density ticks, and are no process of their own.
        Assert.Equal(3, o.Processes.Count);

        var lanes = index.Timeline(null, null, 70).Lanes;
        var agent = lanes.Single(l => l.Pid == 200);
        Assert.Equal([12.5, 180, 40], agent.Resources.Select(r => r[1]));
        Assert.Equal((180d, 90_000_000L), (agent.PeakCpu, agent.PeakRss));
        Assert.Equal(AgentSession().Count(e => e.Pid == 200), agent.Bins.Sum(b => b[1..].Sum()));
        Assert.Empty(lanes.Single(l => l.Pid == 100).Resources);
        Assert.Null(lanes.Single(l => l.Pid == 100).PeakRss);

        // Two bins over the 7 s session: the three samples in its first half become one point, their highest CPU and RSS.
        var coarse = Assert.Single(index.Timeline(null, null, 2).Lanes.Single(l => l.Pid == 200).Resources);
        Assert.Equal([At(3), 180, 90_000_000], coarse);

        var text = ReportText.Format(index.Report(NoPipeline, "web", 5));
        Assert.Contains("peak memory 85.8 MiB (claude 200), peak CPU 180 % (claude 200); 4 resource samples of 2 processes", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_report_counts_errors_and_look_ups_as_the_overview_does()
    {
        using var index = Index([.. AgentSession(),
            Open(3.7, 200, "claude", "/etc/shadow", 0, fd: null, error: "EACCES", errno: 13)]);
        var o = index.Overview(NoPipeline, "web");
        Assert.Equal((1L, 1L), (o.Files.Failed, o.Files.Missed));
        var fileErrors = Assert.Single(o.Errors, e => e.Kind == "file_open");
        Assert.Equal(["/etc/shadow"], fileErrors.Examples);

        var text = ReportText.Format(index.Report(NoPipeline, "web", 5));
        Assert.Contains($"{o.Errors.Sum(e => e.Count)} errors (see Errors); 1 file look-up found nothing (opens for reading that met ENOENT/ENOTDIR: not errors)",
            text, StringComparison.Ordinal);
        Assert.Matches(@"file opens failed\s+1\s+/etc/shadow", text);
        Assert.Matches(@"processes failed\s+1\s+npm \(300\) exited 1", text);
    }

    [Fact]
    public void Losses_are_gathered_from_stage_and_runner_counters()
    {
        var pipeline = new PipelineView(DateTimeOffset.UnixEpoch,
            [new SourceRow("replay", 10, new Dictionary<string, long> { ["bad_lines"] = 2, ["files"] = 1 })],
            [new StageRow(1, "http", "http", "analyzer", "running", 10, 9, 3, 1, 0, 0, 0, 1024, "drop-oldest", 1,
                new Dictionary<string, long> { ["streams_evicted"] = 4, ["exchanges"] = 7 })],
            null);
        var drops = PipelineViews.Drops(pipeline, evicted: 0, "web");
        Assert.Equal(2 + 3 + 1 + 4, drops.Total);
        Assert.Equal(["bad_lines", "dropped", "failed", "streams_evicted"], drops.Items.Select(d => d.Counter));
    }

    [Theory]
    [InlineData("needle", "a NEEDLE in a haystack", true)]
    [InlineData("Haystack", "a needle in a haystack", true)]
    [InlineData("café", "un CAFé noir", true)]
    [InlineData("needles", "a needle", false)]
    [InlineData("", "anything", true)]
    public void Text_search_ignores_the_case_of_ascii_letters(string text, string haystack, bool found) =>
        Assert.Equal(found, new TextMatcher(text).IsIn(Encoding.UTF8.GetBytes(haystack)));
}
