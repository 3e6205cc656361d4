using System.Diagnostics;
using AgentSight.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace AgentSight.Tests.Otlp;

/// <summary>
/// The fleet files under deploy/ (docs/FLEET.md): the systemd unit passes <c>systemd-analyze verify</c>; the Kubernetes
/// manifests and the Collector configuration parse, and say what the docs promise (no kubectl here: the checks
/// read the YAML).
/// </summary>
public sealed class DeployFilesTests
{
    private static string Deploy(params string[] parts) => Path.Combine([Artifacts.RepoRoot, "deploy", .. parts]);

    private static List<YamlMappingNode> Documents(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static YamlNode At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }
        return node;
    }

    private static IEnumerable<string> Scalars(YamlNode node) => ((YamlSequenceNode)node).Children.Select(c => ((YamlScalarNode)c).Value!);

    [Fact]
    public async Task The_systemd_unit_passes_systemd_analyze_verify()
    {
        var start = new ProcessStartInfo("systemd-analyze") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("verify");
        start.ArgumentList.Add(Deploy("systemd", "agentsight.service"));
        using var verify = Process.Start(start)!;
        var errors = await verify.StandardError.ReadToEndAsync();
        await verify.WaitForExitAsync();
        Assert.True(verify.ExitCode == 0 && errors.Length == 0, errors);
        var unit = await File.ReadAllTextAsync(Deploy("systemd", "agentsight.service"));
        Assert.Contains("trace -c ${AGENTSIGHT_AGENTS} -q --no-server --otlp ${AGENTSIGHT_OTLP}", unit, StringComparison.Ordinal);
    }

    [Fact]
    public void The_daemonset_sees_the_nodes_processes_with_the_capabilities_and_mounts_ebpf_needs()
    {
        var documents = Documents(Deploy("kubernetes", "agentsight-daemonset.yaml"));
        var daemonSet = Assert.Single(documents, d => ((YamlScalarNode)At(d, "kind")).Value == "DaemonSet");
        var pod = At(daemonSet, "spec", "template", "spec");
        Assert.Equal("true", ((YamlScalarNode)At(pod, "hostPID")).Value);
        var container = (YamlMappingNode)((YamlSequenceNode)At(pod, "containers")).Children.Single();
        Assert.Equal(["BPF", "PERFMON", "SYS_ADMIN", "SYS_PTRACE", "DAC_READ_SEARCH", "SYS_RESOURCE", "IPC_LOCK"],
            Scalars(At(container, "securityContext", "capabilities", "add")));
        Assert.Equal(["ALL"], Scalars(At(container, "securityContext", "capabilities", "drop")));
        var mounts = ((YamlSequenceNode)At(container, "volumeMounts")).Children
            .ToDictionary(m => ((YamlScalarNode)At(m, "name")).Value!, m => ((YamlScalarNode)At(m, "mountPath")).Value!);
        var volumes = ((YamlSequenceNode)At(pod, "volumes")).Children.Cast<YamlMappingNode>()
            .Where(v => v.Children.ContainsKey(new YamlScalarNode("hostPath")))
            .ToDictionary(v => ((YamlScalarNode)At(v, "name")).Value!, v => ((YamlScalarNode)At(v, "hostPath", "path")).Value!);
        foreach (var path in new[] { "/sys/kernel/btf", "/sys/fs/bpf", "/sys/kernel/tracing", "/proc" })
        {
            var volume = Assert.Single(volumes, v => v.Value == path).Key;
            Assert.True(mounts.ContainsKey(volume), $"{path} is a volume but not mounted");
        }
        var args = Scalars(At(container, "args")).ToList();
        Assert.Equal("trace", args[0]);
        Assert.Equal("$(OTLP_ENDPOINT)", args[args.IndexOf("--otlp") + 1]);
        Assert.Contains("--no-server", args);
        // The endpoint the ConfigMap gives is the Collector's Service and its gRPC port.
        var config = Assert.Single(documents, d => ((YamlScalarNode)At(d, "kind")).Value == "ConfigMap");
        var endpoint = new Uri(((YamlScalarNode)At(config, "data", "otlp-endpoint")).Value!);
        var collector = Documents(Deploy("kubernetes", "otel-collector.yaml"));
        var service = Assert.Single(collector, d => ((YamlScalarNode)At(d, "kind")).Value == "Service");
        Assert.Equal($"{((YamlScalarNode)At(service, "metadata", "name")).Value}.{((YamlScalarNode)At(service, "metadata", "namespace")).Value}.svc.cluster.local", endpoint.Host);
        Assert.Contains(((YamlSequenceNode)At(service, "spec", "ports")).Children, p => ((YamlScalarNode)At(p, "port")).Value == endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Every_collector_pipeline_names_only_receivers_processors_and_exporters_the_configuration_defines()
    {
        var config = Assert.Single(Documents(Deploy("collector", "otel-collector.yaml")));
        var defined = new Dictionary<string, HashSet<string>>();
        foreach (var section in new[] { "receivers", "processors", "exporters" })
        {
            defined[section] = [.. ((YamlMappingNode)At(config, section)).Children.Keys.Select(k => ((YamlScalarNode)k).Value!)];
        }
        var pipelines = (YamlMappingNode)At(config, "service", "pipelines");
        Assert.Contains(new YamlScalarNode("traces"), pipelines.Children.Keys);
        Assert.Contains(new YamlScalarNode("metrics"), pipelines.Children.Keys);
        foreach (var (name, pipeline) in pipelines.Children)
        {
            foreach (var section in new[] { "receivers", "processors", "exporters" })
            {
                foreach (var used in Scalars(At(pipeline, section)))
                {
                    Assert.True(defined[section].Contains(used), $"pipeline {name} uses {section} {used}, which is not defined");
                }
            }
        }
        Assert.Equal("0.0.0.0:4317", ((YamlScalarNode)At(config, "receivers", "otlp", "protocols", "grpc", "endpoint")).Value);
        foreach (var backend in new[] { "otlp/tempo", "otlp/honeycomb", "otlphttp/langfuse", "otlphttp/phoenix", "datadog" })
        {
            Assert.Contains(backend, defined["exporters"]);
        }
    }
}
