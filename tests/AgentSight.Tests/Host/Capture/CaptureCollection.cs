namespace AgentSight.Tests.Capture;

/// <summary>
/// Live-capture tests run one at a time: each loads BPF programs and times real processes on a small machine, and
/// a neighbour's burst of work would only make timeouts and loss counters harder to read.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CaptureCollection
{
    public const string Name = "live capture";
}
