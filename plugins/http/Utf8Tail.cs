namespace AgentSight.Plugins.Http;

/// <summary>Finds a UTF-8 character cut at the end of a piece, so the piece can end before it.</summary>
internal static class Utf8Tail
{
    /// <summary>
    /// How many bytes at the end of <paramref name="bytes"/> are the start of a multi-byte character whose remaining
    /// bytes are missing (0 to 3). Invalid sequences are not held back: they are not going to become valid.
    /// </summary>
    public static int IncompleteLength(ReadOnlySpan<byte> bytes)
    {
        var limit = Math.Min(3, bytes.Length);
        for (var back = 1; back <= limit; back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // a continuation byte: look further back for the lead byte
            }
            var needed = b switch
            {
                >= 0xF0 and <= 0xF4 => 4,
                >= 0xE0 => 3,
                >= 0xC2 => 2,
                _ => 1,
            };
            if (b >= 0xF5)
            {
                return 0;
            }
            return needed > back ? back : 0;
        }
        return 0;
    }
}
