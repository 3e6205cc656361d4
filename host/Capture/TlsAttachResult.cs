namespace AgentSight.Host.Capture;

/// <summary>What happened when a file was offered to <see cref="TlsProbes"/>.</summary>
internal sealed record TlsAttachResult(string Path, TlsAttachOutcome Outcome, string? Reason, IReadOnlyList<string> Functions)
{
    public static TlsAttachResult Success(string path, IReadOnlyList<string> functions) => new(path, TlsAttachOutcome.Attached, null, functions);

    public static TlsAttachResult AlreadyAttached(string path, string asPath) =>
        new(path, TlsAttachOutcome.AlreadyAttached, asPath == path ? null : $"same file as {asPath}", []);

    public static TlsAttachResult Skipped(string path, string reason) => new(path, TlsAttachOutcome.NotTls, reason, []);

    public static TlsAttachResult Failed(string path, string reason) => new(path, TlsAttachOutcome.Failed, reason, []);
}

/// <summary>The outcome of offering a file to the TLS probes.</summary>
internal enum TlsAttachOutcome
{
    Attached,
    AlreadyAttached,
    NotTls,
    Failed,
}
