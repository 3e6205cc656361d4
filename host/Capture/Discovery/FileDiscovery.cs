namespace AgentSight.Host.Capture.Discovery;

/// <summary>What looking into one file found: the TLS stacks in it, and the signs of stacks that could not be opened.</summary>
/// <param name="Path">The file, as the traced process names it.</param>
/// <param name="BuildId">Its GNU build-id, when it has one (the cache key).</param>
/// <param name="Program">What the file is, when recognisable ("Bun 1.4.6", "Go 1.19.8", "Rust"), for messages.</param>
/// <param name="Stacks">The stacks found, with where to probe them.</param>
/// <param name="Problems">Signs of a TLS library whose functions were not found: why it is not probed.</param>
/// <param name="Elapsed">How long the analysis took (zero when it came from the cache).</param>
/// <param name="FromCache">True when the result was read from the discovery cache.</param>
internal sealed record FileDiscovery(
    string Path, string? BuildId, string? Program, IReadOnlyList<TlsStack> Stacks, IReadOnlyList<string> Problems, TimeSpan Elapsed, bool FromCache)
{
    /// <summary>True when something can be probed.</summary>
    public bool HasTls => Stacks.Count > 0;

    /// <summary>One line for logs: what was found, or why nothing is probed.</summary>
    public string Summary =>
        Stacks.Count > 0 ? string.Join("; ", Stacks.Select(s => $"{s.Title} ({s.Method})"))
        : Problems.Count > 0 ? string.Join("; ", Problems)
        : "no TLS library found";
}
