using AgentSight.Top.Model;
using AgentSight.Top.View;
using Spectre.Console;

namespace AgentSight.Tests.Top;

/// <summary>The frame top draws: what fits an 80-column terminal, and what a terminal without colour or escapes gets.</summary>
public sealed class TopScreenTests
{
    private static readonly TopHeader Header = new("attached", "http://127.0.0.1:7395/ (recorder pid 4242)", "live: updated 12:00:00, every 1 s", false);

    [Fact]
    public void An_80_column_terminal_keeps_every_number_of_the_process_view()
    {
        var columns = TopLayout.Fit(80, TopGrouping.Processes);

        Assert.Equal(["pid", "name", "state", "calls", "tokens", "cpu", "rss", "execs", "files", "peers", "fail", "lost"], columns.Select(c => c.Column.Name));
        Assert.True(columns.Sum(c => c.Width) + columns.Count - 1 <= 80);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(50)]
    [InlineData(64)]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(200)]
    public void Columns_always_fit_and_the_least_needed_go_first(int width)
    {
        foreach (var grouping in new[] { TopGrouping.Processes, TopGrouping.Agents })
        {
            var columns = TopLayout.Fit(width, grouping);
            var names = columns.Select(c => c.Column.Name).ToList();

            Assert.True(columns.Sum(c => c.Width) + columns.Count - 1 <= width, $"{width}: {string.Join(',', names)}");
            Assert.Equal(["pid", "name"], names.Take(2));
            Assert.Contains("calls", names);
            Assert.Equal(width >= 40, names.Contains("tokens"));
            Assert.Equal(width >= 100, names.Contains("command"));
        }
    }

    [Fact]
    public void A_wide_terminal_gives_the_rest_to_the_command_line()
    {
        var columns = TopLayout.Fit(160, TopGrouping.Processes);

        Assert.Equal(15, columns.Single(c => c.Column == TopColumn.ProgramName).Width);
        Assert.Equal("command", columns[^1].Column.Name);
        Assert.Equal(160, columns.Sum(c => c.Width) + columns.Count - 1);
    }

    [Fact]
    public void A_plain_frame_fits_80_by_24_and_shows_mode_totals_rows_and_keys()
    {
        var view = new TopViewState();
        var snapshot = TopSamples.Agent();

        var frame = TopScreen.Render(Header, snapshot, TopTable.Rows(snapshot, view), view, null, 80, 24, TerminalProfile.Plain);
        var lines = frame.Split('\n');

        Assert.Equal(24, lines.Length);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length}: {l}"));
        Assert.DoesNotContain('\u001b', frame);
        Assert.StartsWith("agentsight top | attached: http://127.0.0.1:7395/", lines[0], StringComparison.Ordinal);
        Assert.Contains("calls 7  tokens 4.9k  processes 5 (2 running)  lost 3", lines[2], StringComparison.Ordinal);
        Assert.Contains("sort: tokens v", lines[3], StringComparison.Ordinal);
        Assert.Matches(@"^\s+PID NAME\s+ST\s+CALLS TOKENSv\s+CPU%\s+RSS EXEC FILES PEERS FAIL LOST$", lines[4]);
        Assert.Matches(@"^\s+100 python3\s+run\s+6\s+4\.8k\s+-\s+-\s+2\s+2\s+2\s+3\s+0$", lines[5]);
        Assert.StartsWith("rows 1-5 of 5 | q quit", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_that_do_not_fit_scroll_with_the_selection()
    {
        var processes = Enumerable.Range(1, 60).Select(i => TopSamples.Process(i, 1000 + i, $"worker{i}")).ToList();
        var snapshot = new SessionSnapshot(processes, 60, 0, 0, 0, false, null);
        var view = new TopViewState { SortColumn = TopColumn.Pid, Descending = false, SelectedKey = 40 };

        var lines = TopScreen.Render(Header, snapshot, TopTable.Rows(snapshot, view), view, null, 80, 24, TerminalProfile.Plain).Split('\n');

        Assert.Equal(24, lines.Length);
        // 18 rows fit under the header; the selected 40th is the last of them.
        Assert.Equal(22, view.Offset);
        Assert.Contains("worker23", lines[5], StringComparison.Ordinal);
        Assert.Contains("worker40", lines[^2], StringComparison.Ordinal);
        Assert.StartsWith("rows 23-40 of 60", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Without_colour_the_header_and_the_selection_are_still_marked_and_no_colour_is_sent()
    {
        var view = new TopViewState { SelectedKey = 1 };
        var snapshot = TopSamples.Agent();
        var noColor = new TerminalProfile(Ansi: true, ColorSystem.NoColors, Unicode: false);

        var frame = TopScreen.Render(Header, snapshot, TopTable.Rows(snapshot, view), view, null, 80, 24, noColor);

        Assert.Contains("\u001b[7m", frame, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\u001b\[(3|4|9|10)\d(;\d+)*m", frame);
        var colour = TopScreen.Render(Header, snapshot, TopTable.Rows(snapshot, view), view, null, 80, 24, new TerminalProfile(true, ColorSystem.Standard, false));
        Assert.Matches(@"\u001b\[[0-9;]*(3[13]|9[13])m", colour);
    }

    [Fact]
    public void A_command_line_cannot_send_escape_sequences_to_the_terminal()
    {
        var snapshot = new SessionSnapshot([TopSamples.Process(1, 7, "evil\u001b[2J", commandLine: "evil \u001b]0;owned\u0007 \u001b[2J")], 1, 0, 0, 0, false, null);
        var view = new TopViewState();

        var frame = TopScreen.Render(Header, snapshot, TopTable.Rows(snapshot, view), view, null, 200, 24, TerminalProfile.Plain);

        Assert.DoesNotContain('\u001b', frame);
        Assert.DoesNotContain('\u0007', frame);
        Assert.Contains("evil?[2J", frame, StringComparison.Ordinal);
    }

    [Fact]
    public void While_a_filter_is_typed_the_footer_shows_it()
    {
        var view = new TopViewState { Filter = "pyt" };
        var snapshot = TopSamples.Agent();

        var lines = TopScreen.Render(Header, snapshot, TopTable.Rows(snapshot, view), view, "pyt", 80, 24, TerminalProfile.Plain).Split('\n');

        Assert.StartsWith("filter: pyt_", lines[^1], StringComparison.Ordinal);
        Assert.Contains("filter: \"pyt\"", lines[3], StringComparison.Ordinal);
        Assert.Contains("python3", lines[5], StringComparison.Ordinal);
        Assert.Equal("", lines[6].Trim());
    }
}
