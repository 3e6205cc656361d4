namespace AgentSight.Host.Capture;

/// <summary>Where TLS probes are attached when processes are followed (<c>--probe-scope</c>).</summary>
internal enum ProbeScope
{
    /// <summary>In each followed process that runs a file with TLS: no other process traps on them.</summary>
    Followed,

    /// <summary>In the file, for every process that maps it; the programs' filter keeps the followed ones.</summary>
    All,
}
