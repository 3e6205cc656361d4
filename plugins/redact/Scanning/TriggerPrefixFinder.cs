namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>
/// Finds where a trigger may start: the positions whose next three characters, ignoring case, begin a trigger. The
/// scanner then checks the whole trigger there. One table lookup per character, whatever the number of triggers.
/// </summary>
/// <remarks>
/// <para>Measured on this project's two-CPU VM with the 43 built-in triggers: about 1 ns per character on any text,
/// where <c>SearchValues&lt;string&gt;</c> ignoring case took 13–30 ns on JSON and English and about 100 ns on a run
/// of one letter (its candidates failed verification at almost every position). Redaction was the host's largest
/// cost per HTTP exchange because of it (docs/PERFORMANCE.md).</para>
/// <para>Each character that appears in a trigger's first three gets a class from 1 to 63 (0 for every other), and
/// the classes of three characters in a row make an 18-bit key into a bit set of the triggers' beginnings. A
/// character matches an ASCII one ignoring case when their uppercase forms are equal, as
/// <see cref="StringComparison.OrdinalIgnoreCase"/> compares them: so <c>ı</c> (dotless i) counts as <c>i</c> and
/// <c>ſ</c> (long s) as <c>s</c>, and no trigger is missed.</para>
/// </remarks>
internal sealed class TriggerPrefixFinder
{
    private const int PrefixLength = 3;
    private const int ClassBits = 6;
    private const int KeyMask = (1 << (ClassBits * PrefixLength)) - 1;

    private readonly byte[] _classes;
    private readonly ulong[] _prefixes;

    private TriggerPrefixFinder(byte[] classes, ulong[] prefixes)
    {
        _classes = classes;
        _prefixes = prefixes;
    }

    /// <summary>
    /// A finder for <paramref name="triggers"/>, or null when one of them is shorter than three characters or not
    /// ASCII, or when their beginnings use more than 63 distinct characters (the caller then searches another way).
    /// </summary>
    public static TriggerPrefixFinder? TryCreate(IReadOnlyCollection<string> triggers)
    {
        if (triggers.Count == 0 || triggers.Any(t => t.Length < PrefixLength || !System.Text.Ascii.IsValid(t)))
        {
            return null;
        }
        var asciiClass = new byte[128];
        byte next = 1;
        foreach (var trigger in triggers)
        {
            foreach (var c in trigger.AsSpan(0, PrefixLength))
            {
                var upper = char.ToUpperInvariant(c);
                if (asciiClass[upper] != 0)
                {
                    continue;
                }
                if (next >= 1 << ClassBits)
                {
                    return null;
                }
                asciiClass[upper] = next++;
            }
        }
        var classes = new byte[char.MaxValue + 1];
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var upper = char.ToUpperInvariant((char)c);
            classes[c] = upper < 128 ? asciiClass[upper] : (byte)0;
        }
        var prefixes = new ulong[(KeyMask + 1) / 64];
        foreach (var trigger in triggers)
        {
            var key = (classes[trigger[0]] << (2 * ClassBits)) | (classes[trigger[1]] << ClassBits) | classes[trigger[2]];
            prefixes[key >> 6] |= 1UL << (key & 63);
        }
        return new TriggerPrefixFinder(classes, prefixes);
    }

    /// <summary>
    /// The first position in <paramref name="text"/> where a trigger's first three characters are, or -1. A trigger
    /// may still not be there in full: the caller checks.
    /// </summary>
    public int IndexOfCandidate(ReadOnlySpan<char> text)
    {
        if (text.Length < PrefixLength)
        {
            return -1;
        }
        var classes = _classes;
        var prefixes = _prefixes;
        var key = (classes[text[0]] << ClassBits) | classes[text[1]];
        for (var i = PrefixLength - 1; i < text.Length; i++)
        {
            key = ((key << ClassBits) | classes[text[i]]) & KeyMask;
            if ((prefixes[key >> 6] & (1UL << (key & 63))) != 0)
            {
                return i - (PrefixLength - 1);
            }
        }
        return -1;
    }
}
