namespace AgentSight.Plugins.Redact.Scanning;

/// <summary>What a scan knows about the edges of its text.</summary>
/// <param name="EndIsOpen">
/// The text may go on (a read of a stream): a secret that runs into the end is taken even when it is shorter than
/// its rule asks for, and reported <see cref="SecretSpan.Open"/>. False for a complete value, such as a JSON string.
/// </param>
/// <param name="StartIsLineStart">The first character starts a line (a header line may begin there).</param>
internal readonly record struct ScanContext(bool EndIsOpen, bool StartIsLineStart)
{
    /// <summary>A complete text, such as one JSON string.</summary>
    public static ScanContext Complete => new(false, true);
}
