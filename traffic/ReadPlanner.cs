namespace AgentSight.Traffic;

/// <summary>
/// Decides how a client's SSL_read calls cut a response: mostly what arrived together, sometimes two sends in one
/// read, sometimes one send in two reads. Cuts deliberately land inside chunk-size lines, SSE lines and UTF-8
/// characters too, the cases reassembly code gets wrong.
/// </summary>
internal static class ReadPlanner
{
    private enum CutKind
    {
        Anywhere,
        InSizeLine,
        InSseLine,
        InUtf8Character,
    }

    /// <summary>The reads: byte range and time after the first byte arrived, in ns, strictly increasing.</summary>
    public static List<(int Start, int End, long OffsetNs)> Plan(ResponseWire wire, SyntheticRandom random, int maxRead)
    {
        var reads = new List<(int Start, int End, long OffsetNs)>();
        var start = 0;
        long previousUnitOffset = 0;
        foreach (var (end, offset) in wire.Units)
        {
            if (reads.Count > 0 && offset - previousUnitOffset < 3_000_000 && random.Chance(0.25))
            {
                // Arrived before the client read the previous send: one read takes both.
                reads[^1] = (reads[^1].Start, end, offset);
            }
            else
            {
                reads.Add((start, end, offset));
            }
            start = end;
            previousUnitOffset = offset;
        }

        var cut = new List<(int Start, int End, long OffsetNs)>(reads.Count * 2);
        foreach (var read in reads)
        {
            var pieces = new List<int> { read.Start, read.End };
            if (read.End - read.Start >= 2 && random.Chance(0.45))
            {
                AddCut(pieces, wire, read.Start, read.End, (CutKind)random.Next(0, 4), random);
                if (random.Chance(0.2))
                {
                    AddCut(pieces, wire, read.Start, read.End, (CutKind)random.Next(0, 4), random);
                }
            }
            for (var at = read.Start + maxRead; at < read.End; at += maxRead)
            {
                pieces.Add(at);
            }
            pieces.Sort();
            var time = read.OffsetNs;
            for (var i = 0; i + 1 < pieces.Count; i++)
            {
                if (pieces[i + 1] > pieces[i])
                {
                    cut.Add((pieces[i], pieces[i + 1], time));
                    time += random.Around(40_000);
                }
            }
        }

        // Reads complete a little after their bytes arrive, and never two at the same instant.
        long last = -1;
        for (var i = 0; i < cut.Count; i++)
        {
            var at = Math.Max(cut[i].OffsetNs + random.Around(60_000), last + random.Around(8_000));
            cut[i] = (cut[i].Start, cut[i].End, at);
            last = at;
        }
        return cut;
    }

    private static void AddCut(List<int> pieces, ResponseWire wire, int start, int end, CutKind kind, SyntheticRandom random)
    {
        var bytes = wire.Bytes;
        var candidates = new List<int>();
        switch (kind)
        {
            case CutKind.InSizeLine:
                foreach (var (lineStart, length) in wire.SizeLines)
                {
                    for (var p = lineStart + 1; p < lineStart + length; p++)
                    {
                        if (p > start && p < end)
                        {
                            candidates.Add(p);
                        }
                    }
                }
                break;
            case CutKind.InSseLine:
                var span = bytes.AsSpan(start, end - start);
                for (var at = span.IndexOf("data:"u8); at >= 0;)
                {
                    var lineEnd = span[at..].IndexOf((byte)'\n');
                    var stop = lineEnd < 0 ? span.Length : at + lineEnd;
                    for (var p = at + 1; p < stop; p += Math.Max(1, (stop - at) / 8))
                    {
                        candidates.Add(start + p);
                    }
                    var next = span[(at + 1)..].IndexOf("data:"u8);
                    at = next < 0 ? -1 : at + 1 + next;
                }
                break;
            case CutKind.InUtf8Character:
                for (var p = start + 1; p < end; p++)
                {
                    if ((bytes[p] & 0xC0) == 0x80)
                    {
                        candidates.Add(p);
                    }
                }
                break;
        }
        pieces.Add(candidates.Count > 0 ? random.Pick(candidates) : random.Next(start + 1, end));
    }
}
