using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AgentSight.Host.Capture;

/// <summary>
/// Which container a process runs in, read from its cgroup path (<c>/proc/PID/cgroup</c>): Docker, containerd (also
/// under Kubernetes), CRI-O and Podman name the cgroup after the container's 64-hex id, and Kubernetes puts the pod's
/// uid in the path above it. Process events carry it as their <c>container</c> field (docs/EVENTS.md).
/// </summary>
/// <param name="ContainerId">The container's id (<c>container.id</c>).</param>
/// <param name="Runtime">
/// docker, containerd, cri-o or podman when the path names the runtime; kubepods for a pod's container whose path does
/// not (the cgroupfs driver's <c>kubepods/…/podUID/ID</c>: any CRI runtime writes it so).
/// </param>
/// <param name="PodUid">The Kubernetes pod's uid (<c>k8s.pod.uid</c>) when under <c>kubepods</c>.</param>
internal sealed partial record ContainerIdentity(string ContainerId, string? Runtime, string? PodUid)
{
    /// <summary>The identity in a <c>/proc/PID/cgroup</c> text (cgroup v1 or v2), or null when the process is in no container.</summary>
    public static ContainerIdentity? FromCgroup(string cgroupText)
    {
        foreach (var line in cgroupText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // hierarchy-ID:controllers:path; the path is what names the container.
            var parts = line.Split(':', 3);
            var path = parts.Length == 3 ? parts[2] : line;
            var match = ContainerSegment().Matches(path).LastOrDefault();
            if (match is null)
            {
                continue;
            }
            var pod = PodSegment().Match(path) is { Success: true } found ? found.Groups["uid"].Value.Replace('_', '-') : null;
            var runtime = match.Groups["prefix"].Value switch
            {
                "docker-" => "docker",
                "cri-containerd-" => "containerd",
                "crio-" => "cri-o",
                "libpod-" => "podman",
                _ when pod is not null => "kubepods",
                _ when path.Contains("/docker/", StringComparison.Ordinal) => "docker",
                _ => null,
            };
            return new ContainerIdentity(match.Groups["id"].Value, runtime, pod);
        }
        return null;
    }

    /// <summary>The <c>container</c> field of a process event: <c>id</c>, and <c>runtime</c> and <c>pod_uid</c> when known.</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["id"] = ContainerId };
        if (Runtime is not null)
        {
            json["runtime"] = Runtime;
        }
        if (PodUid is not null)
        {
            json["pod_uid"] = PodUid;
        }
        return json;
    }

    [GeneratedRegex(@"(?:^|/)(?<prefix>docker-|cri-containerd-|crio-|libpod-)?(?<id>[0-9a-f]{64})(?:\.scope)?(?=/|$)")]
    private static partial Regex ContainerSegment();

    [GeneratedRegex(@"pod(?<uid>[0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})")]
    private static partial Regex PodSegment();
}
