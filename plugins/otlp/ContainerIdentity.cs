using System.Text.Json;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Otlp;

/// <summary>The container a process runs in, as its <c>process</c> events' <c>container</c> field says (docs/EVENTS.md).</summary>
/// <param name="ContainerId">The container's id (<c>container.id</c>).</param>
/// <param name="Runtime">docker, containerd, cri-o, podman or kubepods (<c>container.runtime</c>).</param>
/// <param name="PodUid">The Kubernetes pod's uid (<c>k8s.pod.uid</c>).</param>
internal sealed record ContainerIdentity(string ContainerId, string? Runtime, string? PodUid)
{
    /// <summary>The identity in a <c>container</c> field, or null when the field is absent or has no id.</summary>
    public static ContainerIdentity? FromJson(ReadOnlyJson container) =>
        container.ValueKind == JsonValueKind.Object && container["id"].GetString() is { Length: > 0 } id
            ? new ContainerIdentity(id, container["runtime"].GetString(), container["pod_uid"].GetString())
            : null;
}
