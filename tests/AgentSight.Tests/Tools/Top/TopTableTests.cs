using AgentSight.Top.Model;

namespace AgentSight.Tests.Top;

/// <summary>The table top shows: one row per process or per agent, sorted and filtered as the keys ask.</summary>
public sealed class TopTableTests
{
    [Fact]
    public void A_process_row_carries_its_own_figures_and_counts_its_failures()
    {
        var rows = TopTable.Processes(TopSamples.Agent());

        var python = rows.Single(r => r.Pid == 100);
        Assert.Equal((6L, 4800L, 2L, 2L, 2L), (python.Calls, python.Tokens, python.Execs, python.FilesWritten, python.Peers));
        Assert.Equal(3, python.Failures);
        Assert.Equal("run", python.State);
        // A non-zero exit is a failure besides its failed open; a kill shows as its signal.
        Assert.Equal(2, rows.Single(r => r.Pid == 102).Failures);
        Assert.Equal("2", rows.Single(r => r.Pid == 102).State);
        Assert.Equal("sig9", rows.Single(r => r.Pid == 200).State);
        Assert.Equal(1, rows.Single(r => r.Pid == 200).Failures);
        Assert.Equal((1L, 2L), (rows.Single(r => r.Pid == 103).Failures, rows.Single(r => r.Pid == 103).Lost));
    }

    [Fact]
    public void An_agent_row_sums_its_whole_tree_and_counts_distinct_peers()
    {
        var resources = new Dictionary<int, ResourceUsage>
        {
            [100] = new(12.5, 40L << 20),
            [103] = new(3.0, 10L << 20),
            // Exited processes' pids may be reused by others: never counted.
            [101] = new(99, 99L << 20),
        };

        var rows = TopTable.Agents(TopSamples.Agent(resources));

        Assert.Equal(2, rows.Count);
        var agent = rows.Single(r => r.Pid == 100);
        Assert.Equal(4, agent.Processes);
        Assert.Equal(3, agent.Execs);
        Assert.Equal(7, agent.Calls);
        Assert.Equal(4860, agent.Tokens);
        Assert.Equal(2, agent.FilesWritten);
        // api.anthropic.com twice (case differs), 127.0.0.1:8443, example.org.
        Assert.Equal(3, agent.Peers);
        Assert.Equal(3 + 2 + 1, agent.Failures);
        Assert.Equal(2, agent.Lost);
        Assert.Equal(15.5, agent.CpuPercent);
        Assert.Equal(50L << 20, agent.RssBytes);
        Assert.Equal("run", agent.State);
        var curl = rows.Single(r => r.Pid == 200);
        Assert.Equal((1, 0L, "sig9"), (curl.Processes, curl.Execs, curl.State));
        Assert.Null(curl.CpuPercent);
    }

    [Fact]
    public void Sorting_orders_by_the_column_then_by_pid_and_reverses()
    {
        var view = new TopViewState { SortColumn = TopColumn.Tokens, Descending = true };
        Assert.Equal([100, 103, 101, 102, 200], Pids(view));

        view.Descending = false;
        Assert.Equal([101, 102, 200, 103, 100], Pids(view));

        view.SortColumn = TopColumn.ProgramName;
        view.Descending = false;
        Assert.Equal([200, 103, 100, 101, 102], Pids(view));

        view.SortColumn = TopColumn.Failures;
        view.Descending = true;
        Assert.Equal([100, 102, 103, 200, 101], Pids(view));
    }

    [Fact]
    public void Unknown_cpu_goes_last_in_either_direction()
    {
        var snapshot = TopSamples.Agent(new Dictionary<int, ResourceUsage> { [100] = new(1.0, 1), [103] = new(50.0, 1) });
        var view = new TopViewState { SortColumn = TopColumn.Cpu, Descending = true };

        Assert.Equal([103, 100, 101, 102, 200], TopTable.Rows(snapshot, view).Select(r => r.Pid));
        view.Descending = false;
        Assert.Equal([100, 103, 101, 102, 200], TopTable.Rows(snapshot, view).Select(r => r.Pid));
    }

    [Theory]
    [InlineData("UNAME", new[] { 101, 102 })]
    [InlineData("report", new[] { 100 })]
    [InlineData("10", new[] { 100, 101, 102, 103 })]
    [InlineData("example.org", new[] { 200 })]
    [InlineData("nothing-like-it", new int[0])]
    public void The_filter_matches_pid_name_and_command_line_ignoring_case(string filter, int[] pids)
    {
        var view = new TopViewState { SortColumn = TopColumn.Pid, Descending = false, Filter = filter };

        Assert.Equal(pids, TopTable.Rows(TopSamples.Agent(), view).Select(r => r.Pid));
    }

    [Fact]
    public void An_agent_matches_the_filter_through_any_of_its_processes()
    {
        var view = new TopViewState { Grouping = TopGrouping.Agents, Filter = "uname" };

        Assert.Equal([100], TopTable.Rows(TopSamples.Agent(), view).Select(r => r.Pid));
    }

    [Fact]
    public void Exited_processes_can_be_hidden()
    {
        var view = new TopViewState { SortColumn = TopColumn.Pid, Descending = false, ShowExited = false };

        Assert.Equal([100, 103], TopTable.Rows(TopSamples.Agent(), view).Select(r => r.Pid));
    }

    [Fact]
    public void Cycling_the_sort_walks_the_visible_columns_each_in_its_natural_direction()
    {
        var view = new TopViewState { SortColumn = TopColumn.Tokens, Descending = true };
        var visible = TopLayout.Fit(80, TopGrouping.Processes).Select(c => c.Column).ToList();

        view.CycleSort(1, visible);
        Assert.Equal((TopColumn.Cpu, true), (view.SortColumn, view.Descending));
        view.CycleSort(-1, visible);
        view.CycleSort(-1, visible);
        Assert.Equal((TopColumn.Calls, true), (view.SortColumn, view.Descending));
        // From the first column back to the last: around.
        view.SortColumn = TopColumn.Pid;
        view.CycleSort(-1, visible);
        Assert.Equal(visible[^1], view.SortColumn);
        view.CycleSort(1, visible);
        Assert.Equal((TopColumn.Pid, false), (view.SortColumn, view.Descending));
    }

    [Fact]
    public void Switching_to_agents_keeps_a_sort_column_they_have_and_drops_one_they_lack()
    {
        var view = new TopViewState { SortColumn = TopColumn.State, Descending = false };

        view.ToggleGrouping();

        Assert.Equal(TopGrouping.Agents, view.Grouping);
        Assert.Equal((TopColumn.Tokens, true), (view.SortColumn, view.Descending));
    }

    private static IEnumerable<int> Pids(TopViewState view) => TopTable.Rows(TopSamples.Agent(), view).Select(r => r.Pid);
}
