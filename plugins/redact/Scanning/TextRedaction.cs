using System.Buffers;
using System.Text;

namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>Rewrites text or bytes with each merged range replaced by its rule's marker.</summary>
internal static class TextRedaction
{
    /// <summary>
    /// The characters [regionStart, regionEnd) of <paramref name="text"/> with the ranges that fall in them
    /// replaced; a range cut by the region's edge is replaced for the part inside, marker included, so each side of
    /// a cut shows that something was there. Counts each replaced range into <paramref name="found"/>.
    /// </summary>
    public static string Apply(ReadOnlySpan<char> text, int regionStart, int regionEnd, List<(int Start, int End, int Rule)> merged,
        IReadOnlyList<ScanRule> rules, StringBuilder builder, Action<int> found)
    {
        builder.Clear();
        var position = regionStart;
        foreach (var (start, end, rule) in merged)
        {
            var s = Math.Max(start, regionStart);
            var e = Math.Min(end, regionEnd);
            if (s >= e)
            {
                continue;
            }
            builder.Append(text[position..s]).Append(rules[rule].Marker);
            found(rule);
            position = e;
        }
        builder.Append(text[position..regionEnd]);
        return builder.ToString();
    }

    /// <summary>
    /// Like <see cref="Apply(ReadOnlySpan{char}, int, int, List{ValueTuple{int, int, int}}, IReadOnlyList{ScanRule}, StringBuilder, Action{int})"/>
    /// for bytes: <paramref name="bytes"/> are the region's bytes, <paramref name="regionStart"/> where they start in
    /// the scanned window (scanned as Latin-1, so window positions are byte positions). Null when nothing changes.
    /// </summary>
    public static byte[]? Apply(ReadOnlySpan<byte> bytes, int regionStart, List<(int Start, int End, int Rule)> merged,
        IReadOnlyList<ScanRule> rules, ArrayBufferWriter<byte> writer, Action<int> found)
    {
        var regionEnd = regionStart + bytes.Length;
        writer.ResetWrittenCount();
        var position = 0;
        var changed = false;
        foreach (var (start, end, rule) in merged)
        {
            var s = Math.Max(start, regionStart) - regionStart;
            var e = Math.Min(end, regionEnd) - regionStart;
            if (s >= e)
            {
                continue;
            }
            writer.Write(bytes[position..s]);
            var marker = rules[rule].Marker;
            var target = writer.GetSpan(marker.Length);
            var written = Encoding.ASCII.GetBytes(marker, target);
            writer.Advance(written);
            found(rule);
            position = e;
            changed = true;
        }
        if (!changed)
        {
            return null;
        }
        writer.Write(bytes[position..]);
        return writer.WrittenSpan.ToArray();
    }
}
