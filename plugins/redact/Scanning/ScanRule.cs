namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>One kind of secret: the strings that announce it (triggers) and how to read it from there.</summary>
/// <remarks>
/// The scanner finds every trigger in one vectorized pass and calls <see cref="Match"/> only there, so a rule costs
/// nothing on text without its triggers. Triggers are searched ignoring case; a rule that cares checks the case.
/// </remarks>
internal abstract class ScanRule(string id, int priority)
{
    /// <summary>The rule's name, in configuration and in its marker.</summary>
    public string Id { get; } = id;

    /// <summary>What replaces what it finds: <c>[REDACTED:id]</c>.</summary>
    public string Marker { get; } = "[REDACTED:" + id + "]";

    /// <summary>When two findings start at the same place, the higher priority's marker is used.</summary>
    public int Priority { get; } = priority;

    /// <summary>Set by the scanner: this rule's index in <see cref="SecretScanner.Rules"/>.</summary>
    public int Index { get; set; }

    /// <summary>Strings whose presence may mean this secret is there.</summary>
    public abstract IEnumerable<string> Triggers { get; }

    /// <summary>Adds what this rule finds at <paramref name="at"/>, where <paramref name="trigger"/> was found.</summary>
    public abstract void Match(ReadOnlySpan<char> text, int at, string trigger, in ScanContext context, List<SecretSpan> spans);

    /// <summary>True when a value ends at the end of a text that may go on: its real end is not known.</summary>
    protected static bool RunsOff(ReadOnlySpan<char> text, int end, in ScanContext context) => end >= text.Length && context.EndIsOpen;

    /// <summary>The end of a run of <paramref name="chars"/> starting at <paramref name="start"/>.</summary>
    protected static int RunEnd(ReadOnlySpan<char> text, int start, System.Buffers.SearchValues<char> chars)
    {
        if (start >= text.Length)
        {
            return text.Length;
        }
        var length = text[start..].IndexOfAnyExcept(chars);
        return length < 0 ? text.Length : start + length;
    }

    /// <summary>True when the text at <paramref name="at"/> is a marker put there by an earlier pass.</summary>
    protected static bool IsMarker(ReadOnlySpan<char> text, int at) => text[at..].StartsWith("[REDACTED:", StringComparison.Ordinal);
}
