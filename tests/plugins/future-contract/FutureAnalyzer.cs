using AgentSight.Contracts;

namespace AgentSight.TestPlugins.Future;

/// <summary>A plugin built against contracts 3.0.</summary>
public sealed class FutureAnalyzer : IFutureAnalyzer
{
    /// <inheritdoc />
    public void Process(object evt)
    {
    }
}
