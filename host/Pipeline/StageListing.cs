using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>A manifest stage as shown in metrics, whether it runs or not.</summary>
internal sealed record StageListing(string Id, string Plugin, int Position, PluginKind Kind, bool Enabled);
