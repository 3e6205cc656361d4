using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>One enabled stage, resolved and validated: everything needed to create and run it.</summary>
internal sealed record StagePlan(
    string Id,
    string Plugin,
    int Position,
    IPluginFactory Factory,
    PluginConfig Config,
    StageSettings Settings)
{
    public PluginKind Kind => Factory.Kind;
}
