using AgentSight.Host.Capture;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>The container a process runs in, from its cgroup path, as the capture puts it on process events (docs/CAPTURE.md).</summary>
public sealed class ContainerIdentityTests
{
    private const string Id = "3f4e9c0b8a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f";
    private const string Pod = "8c1b2a3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";

    [Theory]
    // Docker, cgroup v1 and v2 (systemd driver).
    [InlineData($"12:memory:/docker/{Id}\n11:cpu:/docker/{Id}\n", "docker", null)]
    [InlineData($"0::/system.slice/docker-{Id}.scope\n", "docker", null)]
    // Kubernetes with containerd, cgroup v2 (systemd driver); cgroup v1 with the cgroupfs driver, whose path names no runtime.
    [InlineData($"0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod8c1b2a3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d.slice/cri-containerd-{Id}.scope\n", "containerd", Pod)]
    [InlineData($"4:pids:/kubepods/burstable/pod{Pod}/{Id}\n", "kubepods", Pod)]
    // CRI-O and Podman.
    [InlineData($"0::/kubepods.slice/kubepods-pod8c1b2a3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d.slice/crio-{Id}.scope\n", "cri-o", Pod)]
    [InlineData($"0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-{Id}.scope/container\n", "podman", null)]
    public void The_container_is_read_from_the_cgroup_path(string cgroup, string runtime, string? pod)
    {
        var identity = ContainerIdentity.FromCgroup(cgroup);
        Assert.Equal(new ContainerIdentity(Id, runtime, pod), identity);
    }

    [Theory]
    [InlineData("0::/user.slice/user-1000.slice/session-3.scope\n")]
    [InlineData("0::/init.scope\n")]
    [InlineData("0::/\n")]
    // A 32-hex segment (a sandbox's own naming) is no container id.
    [InlineData("4:memory:/process_api/246eb22efe0eefd375883ef73123a261\n0::/\n")]
    [InlineData("")]
    public void A_process_outside_containers_has_none(string cgroup) => Assert.Null(ContainerIdentity.FromCgroup(cgroup));

    [Fact]
    public void The_events_field_holds_the_id_and_only_what_is_known()
    {
        Assert.Equal($$"""{"id":"{{Id}}","runtime":"containerd","pod_uid":"{{Pod}}"}""", new ContainerIdentity(Id, "containerd", Pod).ToJson().ToJsonString());
        Assert.Equal($$"""{"id":"{{Id}}"}""", new ContainerIdentity(Id, null, null).ToJson().ToJsonString());
    }

    [Fact]
    public void Exec_and_fork_read_the_cgroup_again_and_other_events_only_at_a_processs_first_sighting()
    {
        using var proc = TempFolder.ForCaller();
        Cgroup(proc, 100, $"0::/system.slice/docker-{Id}.scope\n");
        var containers = new ProcessContainers(proc.Path);

        Assert.True(containers.Tell(100, 1, starts: false, out var first));
        Assert.Equal(Id, first?.ContainerId);
        // Told once: a later open of the same process says nothing more.
        Assert.False(containers.Tell(100, 1, starts: false, out _));
        // It moved (a runtime moves a container's first process before its exec): the exec reads the cgroup again.
        Cgroup(proc, 100, "0::/user.slice/session-3.scope\n");
        Assert.True(containers.Tell(100, 1, starts: true, out var afterExec));
        Assert.Null(afterExec);
        Assert.Equal(0, containers.Unknown.Value);
    }

    [Fact]
    public void A_process_gone_before_its_event_keeps_what_its_fork_said_or_takes_its_parents_and_one_known_to_nothing_is_counted()
    {
        using var proc = TempFolder.ForCaller();
        Cgroup(proc, 200, $"0::/system.slice/docker-{Id}.scope\n");
        var containers = new ProcessContainers(proc.Path);

        // 201 is gone (no /proc/201): its parent 200 lives in the container.
        Assert.True(containers.Tell(201, 200, starts: true, out var child));
        Assert.Equal(Id, child?.ContainerId);
        // 200 leaves: its child 202, gone too, takes what 200's own event said.
        Assert.True(containers.Tell(200, 1, starts: false, out _));
        Directory.Delete(proc.Combine("200"), recursive: true);
        Assert.True(containers.Tell(202, 200, starts: true, out var grandchild));
        Assert.Equal(Id, grandchild?.ContainerId);
        // 201 execs after it is gone: its fork's answer stands.
        Assert.True(containers.Tell(201, 200, starts: true, out var again));
        Assert.Equal(Id, again?.ContainerId);
        // Neither it nor its parent can be read and nothing was said of them: no container, counted as unknown.
        Assert.True(containers.Tell(300, 299, starts: true, out var unknown));
        Assert.Null(unknown);
        Assert.Equal(1, containers.Unknown.Value);
    }

    [Fact]
    public void The_decoder_puts_the_container_on_exec_fork_and_first_sighting_and_never_on_a_process_in_none()
    {
        using var proc = TempFolder.ForCaller();
        Cgroup(proc, 400, $"0::/kubepods.slice/kubepods-pod8c1b2a3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d.slice/cri-containerd-{Id}.scope\n");
        Cgroup(proc, 500, "0::/user.slice/session-3.scope\n");
        var events = new List<AgentSight.Contracts.AgentEvent>();
        var decoder = new ProcessDecoder(new BootClock(), new CommNames(), events.Add, null, new ProcessCounters(), new ProcessContainers(proc.Path));

        decoder.OnRecord(Records.Open(400, "/etc/hostname", 3));
        decoder.OnRecord(Records.Open(400, "/etc/hosts", 4));
        decoder.OnRecord(Records.Exec(400, "/bin/cat", ["cat"]));
        decoder.OnRecord(Records.Exec(500, "/bin/ls", ["ls"]));

        var fields = events.Select(e => e.Fields!).ToList();
        Assert.Equal($$"""{"id":"{{Id}}","runtime":"containerd","pod_uid":"{{Pod}}"}""", fields[0]["container"]!.ToJsonString());
        Assert.Null(fields[1]["container"]);
        Assert.Equal(Id, (string?)fields[2]["container"]!["id"]);
        Assert.Null(fields[3]["container"]);
    }

    private static void Cgroup(TempFolder proc, int pid, string text)
    {
        Directory.CreateDirectory(proc.Combine(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.WriteAllText(proc.Combine(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "cgroup"), text);
    }
}
