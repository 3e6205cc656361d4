namespace AgentSight.Host.Manifest;

/// <summary>A parsed manifest: the ordered list of stages, and the run's own settings.</summary>
internal sealed record PipelineManifest(string Path, IReadOnlyList<StageSpec> Stages)
{
    /// <summary>The shutdown bound (<c>shutdown_timeout_s</c>); null for the default.</summary>
    public TimeSpan? ShutdownTimeout { get; init; }

    public StageSpec? Find(string id) =>
        Stages.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase));
}
