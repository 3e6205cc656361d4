using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Otlp;

/// <summary>The container a process runs in, as its <c>process</c> events' <c>container</c> field says (docs/EVENTS.md).</summary>
/// <param name="ContainerId">The container's id (<c>container.id</c>).</param>
/// <param name="Runtime">docker, containerd, cri-o, podman or kubepods (<c>container.runtime</c>).</param>
/// <param name="PodUid">The Kubernetes pod's uid (<c>k8s.pod.uid</c>).</param>
internal sealed record ContainerIdentity(string ContainerId, string? Runtime, string? PodUid)
{
    /// <summary>The identity in a <c>container</c> field, or null when the field is absent or has no id.</summary>
    public static ContainerIdentity? FromJson(JsonNode? container) =>
        container is JsonObject obj && Text(obj["id"]) is { Length: > 0 } id ? new ContainerIdentity(id, Text(obj["runtime"]), Text(obj["pod_uid"])) : null;

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
