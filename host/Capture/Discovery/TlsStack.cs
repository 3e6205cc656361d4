namespace AgentSight.Host.Capture.Discovery;

/// <summary>A TLS implementation found in a file, and where to probe it.</summary>
/// <param name="Name">The library as users know it: "OpenSSL", "BoringSSL", "aws-lc (rustls)", "Go crypto/tls".</param>
/// <param name="Version">Its version when the file says it, else null.</param>
/// <param name="Method">How the functions were found, in a few words (for logs and bug reports).</param>
/// <param name="Sites">The functions to probe.</param>
/// <param name="Notes">What was checked, or could not be found but is not needed.</param>
internal sealed record TlsStack(string Name, string? Version, string Method, IReadOnlyList<ProbeSite> Sites, IReadOnlyList<string> Notes)
{
    /// <summary>"BoringSSL" or "OpenSSL 3.5.8".</summary>
    public string Title => Version is null ? Name : $"{Name} {Version}";
}
