namespace AgentSight.Host.Capture.Discovery;

/// <summary>The error sites of one source file in a binary, grouped by the function they are in.</summary>
internal static class ErrorSites
{
    /// <summary>
    /// Every function that reports an error of <paramref name="library"/> while naming one of <paramref name="files"/>,
    /// with its reason codes in source-line order.
    /// </summary>
    public static List<ErrorFunction> ByFunction(DiscoveryContext context, IReadOnlyCollection<ulong> files, int library)
    {
        var calls = new Dictionary<ulong, List<ErrorCall>>();
        foreach (var reference in CodeReferences.Find(context.Elf, files))
        {
            if (context.Functions.StartOf(reference.Address) is not { } start)
            {
                continue;
            }
            if (ErrorCall.Read(context.Elf, start, reference) is { } call && call.Library == library)
            {
                if (!calls.TryGetValue(start, out var list))
                {
                    calls[start] = list = [];
                }
                list.Add(call);
            }
        }
        return [.. calls.OrderBy(c => c.Key).Select(c => new ErrorFunction(c.Key, [.. c.Value.OrderBy(e => e.Line).Select(e => e.Reason)]))];
    }
}

/// <summary>A function and the reason codes of its error sites, in line order.</summary>
internal sealed record ErrorFunction(ulong Start, IReadOnlyList<int> Reasons)
{
    /// <summary>True when it reports every one of <paramref name="reasons"/>.</summary>
    public bool Has(params int[] reasons) => reasons.All(Reasons.Contains);

    /// <summary>True when it reports <paramref name="first"/> at a line before <paramref name="second"/>.</summary>
    public bool Before(int first, int second)
    {
        var a = IndexOf(first);
        var b = IndexOf(second);
        return a >= 0 && b >= 0 && a < b;
    }

    private int IndexOf(int reason)
    {
        for (var i = 0; i < Reasons.Count; i++)
        {
            if (Reasons[i] == reason)
            {
                return i;
            }
        }
        return -1;
    }
}
