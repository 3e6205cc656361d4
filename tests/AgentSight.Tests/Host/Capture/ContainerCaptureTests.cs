using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AgentSight.Tests.Otlp;
using AgentSight.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AgentSight.Tests.Capture;

/// <summary>
/// Processes in cgroups named as Docker, containerd under Kubernetes, and a Kubernetes pod with the cgroupfs driver
/// name theirs (made under /sys/fs/cgroup for the test), recorded with <c>record --otlp</c>: their container on their
/// exec events, in the session store, in <c>report</c> (text and JSON), on their trace spans and as the resource of
/// their spans in the Aspire dashboard; the processes outside any container have none.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class ContainerCaptureTests
{
    [Fact]
    public async Task Processes_in_docker_containerd_and_kubepods_cgroups_carry_their_container_from_capture_to_report_and_otlp()
    {
        using var folder = TempFolder.ForCaller();
        await using var dashboard = await AspireDashboard.StartAsync();
        var docker = Hex(32);
        var containerd = Hex(32);
        var kubepods = Hex(32);
        var pod = Guid.NewGuid().ToString();
        var root = CgroupRoot();
        using var cgroups = new TestCgroups(root);
        var dockerGroup = cgroups.Create($"system.slice/docker-{docker}.scope");
        var containerdGroup = cgroups.Create($"kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{pod.Replace('-', '_')}.slice/cri-containerd-{containerd}.scope");
        var kubepodsGroup = cgroups.Create($"kubepods/burstable/pod{pod}/{kubepods}");
        var session = folder.Combine("session.jsonl");

        // Each container's process moves itself into its cgroup and then execs, as a runtime starts a container's
        // first process; the sleeps outside come before and after, from the shell that is in none.
        string Enter(string group, string seconds) => $"/bin/sh -c 'echo $$ > {group}/cgroup.procs && exec /bin/sleep {seconds}'";
        var script = string.Join("; ",
            "/bin/sleep 0.3",
            Enter(dockerGroup, "0.41"), Enter(containerdGroup, "0.42"), Enter(kubepodsGroup, "0.43"),
            "/bin/sleep 0.31");
        var (exit, _, stderr) = await HostProcess.RunAsync(
            ["record", "--no-server", "-o", session, "--otlp", dashboard.GrpcUrl, "--", "/bin/sh", "-c", script],
            folder.Path, TimeSpan.FromSeconds(120));
        Assert.True(exit == 0, stderr);

        // The exec events: each sleep in a container says which; the ones outside, and the shell, say nothing.
        var events = CapturedEvent.ReadSession(session);
        var execs = events.Where(e => e.Source == "process" && e.Kind == "EXEC").ToList();
        CapturedEvent Sleep(string seconds) => Assert.Single(execs, e => e.Argv.SequenceEqual(["/bin/sleep", seconds]));
        var inDocker = Sleep("0.41");
        Assert.Equal($$"""{"id":"{{docker}}","runtime":"docker"}""", inDocker.Data["container"]?.ToJsonString());
        var inContainerd = Sleep("0.42");
        Assert.Equal($$"""{"id":"{{containerd}}","runtime":"containerd","pod_uid":"{{pod}}"}""", inContainerd.Data["container"]?.ToJsonString());
        var inKubepods = Sleep("0.43");
        Assert.Equal($$"""{"id":"{{kubepods}}","runtime":"kubepods","pod_uid":"{{pod}}"}""", inKubepods.Data["container"]?.ToJsonString());
        foreach (var outside in new[] { Sleep("0.3"), Sleep("0.31"), execs[0] })
        {
            Assert.Null(outside.Data["container"]);
        }
        // Nothing else in the session claims a container it was not in.
        var claimed = events.Where(e => e.Source == "process" && e.Data["container"] is not null).Select(e => e.Pid).ToHashSet();
        Assert.Equal(new[] { inDocker.Pid, inContainerd.Pid, inKubepods.Pid }.Order(), claimed.Order());

        // The session store's processes.
        using (var db = new SqliteConnection($"Data Source={Path.ChangeExtension(session, ".db")};Mode=ReadOnly;Pooling=False"))
        {
            db.Open();
            using var query = db.CreateCommand();
            query.CommandText = "SELECT pid, container_id, container_runtime, pod_uid FROM processes WHERE container_id IS NOT NULL ORDER BY pid";
            using var rows = query.ExecuteReader();
            var stored = new List<string>();
            while (rows.Read())
            {
                stored.Add($"{rows.GetInt32(0)} {rows.GetString(1)} {rows.GetString(2)} {(rows.IsDBNull(3) ? "-" : rows.GetString(3))}");
            }
            Assert.Equal(
                new[] { $"{inDocker.Pid} {docker} docker -", $"{inContainerd.Pid} {containerd} containerd {pod}", $"{inKubepods.Pid} {kubepods} kubepods {pod}" }.Order(),
                stored.Order());
        }

        // report: a line per container; its JSON (the web UI's model) has them on the overview and on each process.
        var (reportExit, report, reportErrors) = await HostProcess.RunAsync(["report", session], folder.Path, TimeSpan.FromSeconds(60));
        Assert.True(reportExit == 0, reportErrors);
        var section = report[report.IndexOf("Containers\n", StringComparison.Ordinal)..];
        Assert.Matches($@"\n  {docker} +docker +1 +0 +/bin/sleep 0\.41\n", section);
        Assert.Matches($@"\n  {containerd} +containerd +{pod} +1 +0 +/bin/sleep 0\.42\n", section);
        Assert.Matches($@"\n  {kubepods} +kubepods +{pod} +1 +0 +/bin/sleep 0\.43\n", section);
        var (jsonExit, json, jsonErrors) = await HostProcess.RunAsync(["report", session, "--json"], folder.Path, TimeSpan.FromSeconds(60));
        Assert.True(jsonExit == 0, jsonErrors);
        var parsed = JsonNode.Parse(json)!;
        Assert.Equal([docker, containerd, kubepods], parsed["overview"]!["containers"]!.AsArray().Select(c => (string)c!["id"]!));
        var processes = parsed["processes"]!.AsArray();
        Assert.Equal(containerd, (string?)processes.Single(p => (int)p!["pid"]! == inContainerd.Pid)!["container_id"]);
        Assert.Null((string?)processes.Single(p => (int)p!["pid"]! == Sleep("0.3").Pid)!["container_id"]);

        // The dashboard: each container's process span under that container's resource, with container.id on the span;
        // the ones outside under the host's.
        var spans = await dashboard.WaitForSpansAsync(s => s.Count(span => span.Name == "process sleep") >= 5);
        var sleeps = spans.Where(s => s.Name == "process sleep").ToList();
        ReceivedSpan SpanOf(CapturedEvent exec) => Assert.Single(sleeps, s => s.Attributes["process.pid"] == exec.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (exec, id, runtime) in new[] { (inDocker, docker, "docker"), (inContainerd, containerd, "containerd"), (inKubepods, kubepods, "kubepods") })
        {
            var span = SpanOf(exec);
            Assert.Equal(id, span.Resource["container.id"]);
            Assert.Equal(runtime, span.Resource["container.runtime"]);
            Assert.Equal(id, span.Attributes["container.id"]);
        }
        Assert.Equal(pod, SpanOf(inContainerd).Resource["k8s.pod.uid"]);
        Assert.False(SpanOf(inDocker).Resource.ContainsKey("k8s.pod.uid"));
        var plain = SpanOf(Sleep("0.3"));
        Assert.False(plain.Resource.ContainsKey("container.id"));
        Assert.False(plain.Attributes.ContainsKey("container.id"));
        Assert.Equal(Environment.MachineName, plain.Resource["service.instance.id"]);

        // A replay of the recording (its span events as they were recorded) exports the same containers: they come from
        // its process events, not from this machine's /proc.
        await using var replayed = await AspireDashboard.StartAsync();
        var (replayExit, _, replayErrors) = await HostProcess.RunAsync(["replay", session, "-q", "--disable", "trace", "--otlp", replayed.GrpcUrl],
            folder.Path, TimeSpan.FromSeconds(120));
        Assert.True(replayExit == 0, replayErrors);
        var again = await replayed.WaitForSpansAsync(s => s.Count(span => span.Name == "process sleep") >= 5);
        var kubepodsAgain = Assert.Single(again, s => s.Name == "process sleep" && s.Attributes["process.pid"] == inKubepods.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(kubepods, kubepodsAgain.Resource["container.id"]);
        Assert.Equal(pod, kubepodsAgain.Resource["k8s.pod.uid"]);
    }

    private static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>The cgroup v2 hierarchy (all of /sys/fs/cgroup, or its <c>unified</c> part on a hybrid machine), else v1's <c>pids</c>.</summary>
    private static string CgroupRoot() =>
        File.Exists("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup"
        : Directory.Exists("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified"
        : "/sys/fs/cgroup/pids";

    /// <summary>Cgroups made for one test, removed deepest first (only the folders it created).</summary>
    private sealed class TestCgroups(string root) : IDisposable
    {
        private readonly List<string> _created = [];

        public string Create(string relative)
        {
            var path = root;
            foreach (var part in relative.Split('/'))
            {
                path = Path.Combine(path, part);
                if (!Directory.Exists(path))
                {
                    Directory.CreateDirectory(path);
                    _created.Add(path);
                }
            }
            return path;
        }

        public void Dispose()
        {
            // Empty once the command ended; the kernel refuses to remove a cgroup that still holds a process.
            foreach (var path in _created.OrderByDescending(p => p.Length))
            {
                Directory.Delete(path);
            }
        }
    }
}
