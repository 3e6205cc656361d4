namespace AgentSight.Host.Capture;

/// <summary>The figures of <c>/proc/PID/stat</c> the resource sampler uses, parsed from its bytes without allocating.</summary>
internal readonly ref struct ProcStat
{
    public ReadOnlySpan<byte> Comm { get; init; }

    public byte State { get; init; }

    /// <summary>utime and stime, in clock ticks (<c>sysconf(_SC_CLK_TCK)</c>).</summary>
    public long UserTicks { get; init; }

    public long SystemTicks { get; init; }

    public long Threads { get; init; }

    /// <summary>When the process started, in clock ticks since boot.</summary>
    public long StartTicks { get; init; }

    /// <summary>Resident set size, in pages.</summary>
    public long RssPages { get; init; }

    /// <summary>
    /// Parses "pid (comm) state ppid …": comm may hold spaces and parentheses, so the fields are counted from the last
    /// ')'. False when the text is not a stat line (cut short, or not one).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> stat, out ProcStat parsed)
    {
        parsed = default;
        var open = stat.IndexOf((byte)'(');
        var close = stat.LastIndexOf((byte)')');
        if (open < 0 || close < open || close + 2 >= stat.Length)
        {
            return false;
        }
        // Field 3 (state) is the first after ") "; utime is field 14, stime 15, num_threads 20, starttime 22, rss 24.
        var rest = stat[(close + 2)..];
        byte state = 0;
        long user = 0, system = 0, threads = 0, start = 0, rss = 0;
        var field = 3;
        while (field <= 24)
        {
            var end = rest.IndexOf((byte)' ');
            var token = end < 0 ? rest : rest[..end];
            switch (field)
            {
                case 3:
                    state = token.Length > 0 ? token[0] : (byte)0;
                    break;
                case 14 when !TryNumber(token, out user):
                case 15 when !TryNumber(token, out system):
                case 20 when !TryNumber(token, out threads):
                case 22 when !TryNumber(token, out start):
                case 24 when !TryNumber(token, out rss):
                    return false;
            }
            if (end < 0)
            {
                break;
            }
            rest = rest[(end + 1)..];
            field++;
        }
        if (field < 24)
        {
            return false;
        }
        parsed = new ProcStat
        {
            Comm = stat[(open + 1)..close], State = state, UserTicks = user, SystemTicks = system, Threads = threads, StartTicks = start, RssPages = rss,
        };
        return true;
    }

    private static bool TryNumber(ReadOnlySpan<byte> token, out long value)
    {
        value = 0;
        if (token.IsEmpty)
        {
            return false;
        }
        var negative = token[0] == (byte)'-';
        for (var i = negative ? 1 : 0; i < token.Length; i++)
        {
            var digit = token[i] - (byte)'0';
            if (digit is < 0 or > 9)
            {
                return false;
            }
            value = (value * 10) + digit;
        }
        if (negative)
        {
            value = -value;
        }
        return true;
    }
}
