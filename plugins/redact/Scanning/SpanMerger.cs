namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>Turns overlapping findings into disjoint ranges, each replaced by one marker.</summary>
internal static class SpanMerger
{
    /// <summary>
    /// Sorts <paramref name="spans"/> and writes the disjoint ranges to <paramref name="merged"/>. Where findings
    /// overlap, the range covers all of them and takes the marker of the one that starts first (the higher priority
    /// when two start together: a header's value is "header" even when it is also an Anthropic key).
    /// </summary>
    public static void Merge(List<SecretSpan> spans, IComparer<SecretSpan> order, List<(int Start, int End, int Rule)> merged)
    {
        merged.Clear();
        if (spans.Count == 0)
        {
            return;
        }
        if (spans.Count > 1)
        {
            spans.Sort(order);
        }
        (int Start, int End, int Rule)? current = null;
        foreach (var span in spans)
        {
            if (span.End <= span.Start)
            {
                continue;
            }
            if (current is { } c && span.Start < c.End)
            {
                current = (c.Start, Math.Max(c.End, span.End), c.Rule);
                continue;
            }
            if (current is { } done)
            {
                merged.Add(done);
            }
            current = (span.Start, span.End, span.Rule);
        }
        if (current is { } last)
        {
            merged.Add(last);
        }
    }
}
