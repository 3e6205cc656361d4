namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>Finding the name (header, JSON key, parameter) a trigger word sits in.</summary>
internal static class Names
{
    /// <summary>The longest name looked at; longer runs of name characters are not names of credentials.</summary>
    public const int MaxName = 64;

    /// <summary>
    /// The run of name characters (<c>A-Z a-z 0-9 - _ .</c>) around <paramref name="at"/>: [Start, End). Start is
    /// <c>-1</c> when the run is longer than <see cref="MaxName"/>.
    /// </summary>
    public static (int Start, int End) Around(ReadOnlySpan<char> text, int at)
    {
        var start = at;
        while (start > 0 && CharSets.Name.Contains(text[start - 1]))
        {
            if (at - start >= MaxName)
            {
                return (-1, -1);
            }
            start--;
        }
        var end = at;
        while (end < text.Length && CharSets.Name.Contains(text[end]))
        {
            if (end - start >= MaxName)
            {
                return (-1, -1);
            }
            end++;
        }
        return (start, end);
    }
}
