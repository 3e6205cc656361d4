namespace AgentSight.Host.Manifest;

/// <summary>A parsed manifest: the ordered list of stages.</summary>
internal sealed record PipelineManifest(string Path, IReadOnlyList<StageSpec> Stages)
{
    public StageSpec? Find(string id) =>
        Stages.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase));
}
