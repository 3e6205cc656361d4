namespace AgentSight.Top.Model;

/// <summary>What the user chose with the keyboard: the grouping, the sort, the filter, whether exited processes show, the selection.</summary>
public sealed class TopViewState
{
    public TopGrouping Grouping { get; set; } = TopGrouping.Processes;

    public TopColumn SortColumn { get; set; } = TopColumn.Tokens;

    public bool Descending { get; set; } = true;

    /// <summary>Rows must contain this text (pid, name or command line); null or empty: every row.</summary>
    public string? Filter { get; set; }

    public bool ShowExited { get; set; } = true;

    /// <summary>The selected row's <see cref="TopRow.Key"/>, so that it stays selected when rows move.</summary>
    public int? SelectedKey { get; set; }

    /// <summary>The first row shown (scrolling).</summary>
    public int Offset { get; set; }

    /// <summary>The next (<paramref name="step"/> 1) or previous (-1) column of <paramref name="grouping"/>'s view to sort by, in its natural direction.</summary>
    public void CycleSort(int step, IReadOnlyList<TopColumn> visible)
    {
        var columns = visible.Count > 0 ? visible : TopColumn.All.Where(c => c.AppliesTo(Grouping)).ToList();
        var index = columns.ToList().IndexOf(SortColumn);
        var next = columns[((index < 0 ? (step > 0 ? -1 : 0) : index) + step + columns.Count) % columns.Count];
        SortColumn = next;
        Descending = next.DescendingFirst;
    }

    /// <summary>Processes ⇄ agents; a sort column the new view lacks falls back to tokens.</summary>
    public void ToggleGrouping()
    {
        Grouping = Grouping == TopGrouping.Processes ? TopGrouping.Agents : TopGrouping.Processes;
        if (!SortColumn.AppliesTo(Grouping))
        {
            SortColumn = TopColumn.Tokens;
            Descending = true;
        }
        SelectedKey = null;
        Offset = 0;
    }
}
