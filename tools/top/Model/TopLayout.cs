namespace AgentSight.Top.Model;

/// <summary>Which columns fit a terminal of a given width, and how wide each is.</summary>
/// <remarks>
/// Columns are separated by one space. The command line takes what the others leave (or goes first when that is less
/// than its minimum); then columns go by <see cref="TopColumn.DropOrder"/>, highest first, until the rest fit. The
/// name column widens to 15 characters (the kernel's longest) when there is room. An 80-column terminal keeps every
/// number of the process view.
/// </remarks>
public static class TopLayout
{
    /// <summary>The longest name the kernel keeps (comm).</summary>
    public const int FullNameWidth = 15;

    public static IReadOnlyList<(TopColumn Column, int Width)> Fit(int width, TopGrouping grouping)
    {
        var columns = TopColumn.All.Where(c => c.AppliesTo(grouping)).ToList();
        while (columns.Count > 1 && Needed(columns) > width)
        {
            var drop = columns.Where(c => c.DropOrder > 0).OrderByDescending(c => c.DropOrder).ThenByDescending(columns.IndexOf).FirstOrDefault();
            if (drop is null)
            {
                break;
            }
            columns.Remove(drop);
        }
        var spare = width - Needed(columns);
        var result = new List<(TopColumn, int)>(columns.Count);
        foreach (var column in columns)
        {
            var w = column.Width;
            if (column == TopColumn.ProgramName && spare > 0)
            {
                var grow = Math.Min(spare, FullNameWidth - w);
                w += grow;
                spare -= grow;
            }
            result.Add((column, w));
        }
        if (spare > 0 && result.FindIndex(c => c.Item1.Flexible) is var flexible and >= 0)
        {
            result[flexible] = (result[flexible].Item1, result[flexible].Item2 + spare);
        }
        return result;
    }

    private static int Needed(List<TopColumn> columns) => columns.Sum(c => c.Width) + Math.Max(0, columns.Count - 1);
}
