namespace AgentSight.Tests.Agents;

/// <summary>
/// Tests that run real coding agents go one at a time, apart from the other tests: each agent starts a large
/// executable (200–400 MB) and a shell, and on a small machine a neighbour's work only makes timeouts harder to read.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealAgentCollection
{
    public const string Name = "real agents";
}
