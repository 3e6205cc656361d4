namespace AgentSight.Host.Capture.Discovery;

/// <summary>Looks for one TLS implementation in a file.</summary>
internal interface ITlsStackFinder
{
    /// <summary>What it looks for, in a few words ("BoringSSL by its error sites").</summary>
    string Name { get; }

    /// <summary>
    /// The stack and where to probe it; null when the file shows no trace of it, or when it shows one but the functions
    /// could not be found, in which case the reason is added to <see cref="DiscoveryContext.Problems"/>.
    /// </summary>
    TlsStack? Find(DiscoveryContext context);
}
