using System.Globalization;
using AgentSight.Top.Model;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AgentSight.Top.View;

/// <summary>
/// One frame of the view as text: four header lines (mode and source, status, totals, view settings), the table
/// (header and the rows that fit), one footer line (keys, or the filter being typed). Every line fits the width; the
/// frame is at most the height. No colour is needed to read it: the selected row and the header are in inverse video,
/// colour only adds (red failures, yellow losses) and is left out under NO_COLOR.
/// </summary>
public static class TopScreen
{
    public const int HeaderLines = 4;

    /// <summary>Lines around the rows: the header, the table's header, the footer.</summary>
    public const int ChromeLines = HeaderLines + 2;

    /// <summary>The frame, lines separated by "\n" (no trailing one).</summary>
    /// <param name="header">Mode, source and status.</param>
    /// <param name="snapshot">The figures.</param>
    /// <param name="rows">The table's rows, filtered and sorted.</param>
    /// <param name="view">The user's choices; its offset is moved so that the selection shows.</param>
    /// <param name="editingFilter">The filter as typed so far while the user types one, else null.</param>
    /// <param name="width">Columns of the terminal.</param>
    /// <param name="height">Lines of the terminal.</param>
    /// <param name="profile">What the terminal can show.</param>
    public static string Render(TopHeader header, SessionSnapshot snapshot, IReadOnlyList<TopRow> rows, TopViewState view, string? editingFilter,
        int width, int height, TerminalProfile profile)
    {
        width = Math.Max(20, width);
        var columns = TopLayout.Fit(width, view.Grouping);
        var page = PageSize(height);
        KeepSelectionVisible(view, rows, page);

        var ellipsis = profile.Unicode ? "…" : "~";
        var lines = new List<IRenderable>
        {
            Line($"agentsight top | {header.Mode}: {header.Watching}", width, ellipsis, new Style(decoration: Decoration.Bold)),
            Line(header.Status, width, ellipsis, header.Problem ? new Style(Color.Red, decoration: Decoration.Bold) : Style.Plain),
            Line(Totals(snapshot), width, ellipsis, Style.Plain),
            Line(Settings(view, profile), width, ellipsis, Style.Plain),
        };

        var table = new Table { Border = TableBorder.None, ShowHeaders = true, Expand = false };
        for (var i = 0; i < columns.Count; i++)
        {
            var (column, w) = columns[i];
            var title = column == view.SortColumn && w > column.Header.Length ? column.Header + (view.Descending ? Down(profile) : Up(profile)) : column.Header;
            var cell = new Text(Cell(title, w, column.RightAligned, ellipsis), new Style(decoration: Decoration.Invert));
            var tableColumn = new TableColumn(cell) { Width = w, NoWrap = true, Padding = new Padding(0, 0, i == columns.Count - 1 ? 0 : 1, 0) };
            table.AddColumn(tableColumn);
        }
        var shown = rows.Skip(view.Offset).Take(page).ToList();
        foreach (var row in shown)
        {
            var selected = view.SelectedKey == row.Key;
            var cells = new List<IRenderable>(columns.Count);
            foreach (var (column, w) in columns)
            {
                cells.Add(new Text(Cell(column.Format(row), w, column.RightAligned, ellipsis), CellStyle(column, row, selected)));
            }
            table.AddRow(cells);
        }
        lines.Add(table);
        for (var blank = shown.Count; blank < page; blank++)
        {
            lines.Add(new Text(" "));
        }
        lines.Add(Line(Footer(rows.Count, view, editingFilter, shown.Count, profile), width, ellipsis, Style.Plain));

        var text = ToText(new Rows(lines), width, profile);
        var result = text.Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
        return string.Join('\n', result.Take(Math.Max(ChromeLines, height)));
    }

    /// <summary>Rows that fit under the header at this height (at least one).</summary>
    public static int PageSize(int height) => Math.Max(1, height - ChromeLines);

    /// <summary>Renders with Spectre.Console into text, with this terminal's abilities and this width.</summary>
    public static string ToText(IRenderable renderable, int width, TerminalProfile profile)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = profile.Ansi ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = profile.Colors switch
            {
                ColorSystem.NoColors => ColorSystemSupport.NoColors,
                ColorSystem.Legacy => ColorSystemSupport.Legacy,
                ColorSystem.Standard => ColorSystemSupport.Standard,
                ColorSystem.EightBit => ColorSystemSupport.EightBit,
                _ => ColorSystemSupport.TrueColor,
            },
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
            // A CI system's enricher would change the width or the colours behind our back.
            Enrichment = new ProfileEnrichment { UseDefaultEnrichers = false },
        });
        console.Profile.Width = width;
        console.Profile.Capabilities.Unicode = profile.Unicode;
        console.Write(renderable);
        return writer.ToString();
    }

    private static void KeepSelectionVisible(TopViewState view, IReadOnlyList<TopRow> rows, int page)
    {
        var index = -1;
        if (view.SelectedKey is { } key)
        {
            index = rows.ToList().FindIndex(r => r.Key == key);
            if (index < 0)
            {
                view.SelectedKey = null;
            }
        }
        if (index >= 0)
        {
            if (index < view.Offset)
            {
                view.Offset = index;
            }
            else if (index >= view.Offset + page)
            {
                view.Offset = index - page + 1;
            }
        }
        view.Offset = Math.Clamp(view.Offset, 0, Math.Max(0, rows.Count - page));
    }

    private static Style CellStyle(TopColumn column, TopRow row, bool selected)
    {
        var decoration = selected ? Decoration.Invert : Decoration.None;
        if (column == TopColumn.Failures && row.Failures > 0)
        {
            return new Style(Color.Red, decoration: decoration);
        }
        if (column == TopColumn.Lost && row.Lost > 0)
        {
            return new Style(Color.Yellow, decoration: decoration);
        }
        return row.State != TopTable.RunningState && !selected ? new Style(decoration: Decoration.Dim) : new Style(decoration: decoration);
    }

    private static string Totals(SessionSnapshot s)
    {
        var running = s.Processes.Count(p => !p.Exited);
        var lost = s.Incomplete ? $"{TopColumn.Number(s.Lost)}+ (session incomplete)" : TopColumn.Number(s.Lost);
        return $"events {TopColumn.Number(s.Events)}  calls {TopColumn.Number(s.Calls)}  tokens {TopColumn.Compact(s.Tokens)}  "
            + $"processes {s.Processes.Count} ({running} running)  lost {lost}";
    }

    private static string Settings(TopViewState view, TerminalProfile profile)
    {
        var filter = string.IsNullOrEmpty(view.Filter) ? "none" : $"\"{view.Filter}\"";
        return $"view: {(view.Grouping == TopGrouping.Agents ? "agents" : "processes")}  sort: {view.SortColumn.Name} "
            + $"{(view.Descending ? Down(profile) : Up(profile))}  filter: {filter}  exited: {(view.ShowExited ? "shown" : "hidden")}";
    }

    private static string Footer(int total, TopViewState view, string? editingFilter, int shown, TerminalProfile profile)
    {
        if (editingFilter is not null)
        {
            return $"filter: {editingFilter}_   (Enter: keep, Esc: clear)";
        }
        var range = total == 0 ? "no rows" : $"rows {view.Offset + 1}-{view.Offset + shown} of {total}";
        var arrows = profile.Unicode ? "↑↓" : "Up/Down";
        return $"{range} | q quit  s/S sort  r reverse  / filter  a agents  e exited  {arrows} PgUp PgDn";
    }

    private static string Down(TerminalProfile profile) => profile.Unicode ? "▼" : "v";

    private static string Up(TerminalProfile profile) => profile.Unicode ? "▲" : "^";

    private static Text Line(string text, int width, string ellipsis, Style style) => new(Cut(text, width, ellipsis), style);

    private static string Cell(string text, int width, bool right, string ellipsis)
    {
        var cut = Cut(text.Replace('\n', ' ').Replace('\t', ' '), width, ellipsis);
        return right ? cut.PadLeft(width) : cut.PadRight(width);
    }

    /// <summary>Cut to the width; control characters (a command line's escape sequences) never reach the terminal.</summary>
    private static string Cut(string text, int width, string ellipsis)
    {
        var clean = string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
        return clean.Length <= width ? clean : clean[..Math.Max(0, width - 1)] + ellipsis;
    }
}
