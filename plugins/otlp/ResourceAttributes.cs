using OpenTelemetry.Resources;

namespace AgentSight.Plugins.Otlp;

/// <summary>
/// What a backend shows as the source of the telemetry: the service (<c>service.name</c>, <c>service.version</c>,
/// <c>service.instance.id</c>), the machine (<c>host.name</c>, <c>host.id</c>), and, for spans of an agent that runs in a
/// container, that container (<c>container.id</c>, <c>container.runtime</c>, <c>k8s.pod.uid</c>). The standard
/// variables <c>OTEL_RESOURCE_ATTRIBUTES</c> and <c>OTEL_SERVICE_NAME</c> override any of them.
/// </summary>
internal static class ResourceAttributes
{
    private static readonly Lazy<string?> MachineId = new(() =>
    {
        try
        {
            return File.ReadAllText("/etc/machine-id").Trim() is { Length: > 0 } id ? id : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    });

    public static ResourceBuilder Build(OtlpSinkConfig config, ContainerIdentity? container)
    {
        var host = Environment.MachineName;
        var attributes = new List<KeyValuePair<string, object>>
        {
            new("host.name", host),
            new("os.type", "linux"),
        };
        if (MachineId.Value is { } machine)
        {
            attributes.Add(new("host.id", machine));
        }
        if (container is not null)
        {
            attributes.Add(new("container.id", container.ContainerId));
            if (container.Runtime is { } runtime)
            {
                attributes.Add(new("container.runtime", runtime));
            }
            if (container.PodUid is { } pod)
            {
                attributes.Add(new("k8s.pod.uid", pod));
            }
        }
        var version = typeof(ResourceAttributes).Assembly.GetName().Version?.ToString(3);
        // One instance per machine and container, so a fleet's sessions are told apart and a host's are not split.
        var instance = container is null ? host : $"{host}/{container.ContainerId[..12]}";
        return ResourceBuilder.CreateEmpty()
            .AddService(config.ServiceName, serviceVersion: version, autoGenerateServiceInstanceId: false, serviceInstanceId: instance)
            .AddTelemetrySdk()
            .AddAttributes(attributes)
            // Last, so it wins: OTEL_RESOURCE_ATTRIBUTES (a DaemonSet's node name as host.name) and OTEL_SERVICE_NAME.
            .AddEnvironmentVariableDetector();
    }
}
