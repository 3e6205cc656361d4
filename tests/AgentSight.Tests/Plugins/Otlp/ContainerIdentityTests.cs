using AgentSight.Plugins.Otlp;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Otlp;

public sealed class ContainerIdentityTests
{
    private const string Id = "3f4e9c0b8a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f";

    [Theory]
    // Docker, cgroup v1 and v2 (systemd driver).
    [InlineData($"12:memory:/docker/{Id}\n11:cpu:/docker/{Id}\n", "docker", null)]
    [InlineData($"0::/system.slice/docker-{Id}.scope\n", "docker", null)]
    // Kubernetes with containerd, cgroup v2 (systemd driver) and v1 (cgroupfs driver).
    [InlineData($"0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod8c1b2a3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d.slice/cri-containerd-{Id}.scope\n", "containerd", "8c1b2a3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d")]
    [InlineData($"4:pids:/kubepods/burstable/pod8c1b2a3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d/{Id}\n", "containerd", "8c1b2a3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d")]
    // CRI-O and Podman.
    [InlineData($"0::/kubepods.slice/kubepods-pod8c1b2a3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d.slice/crio-{Id}.scope\n", "cri-o", "8c1b2a3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d")]
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
    [InlineData("")]
    public void A_process_outside_containers_has_none(string cgroup) => Assert.Null(ContainerIdentity.FromCgroup(cgroup));

    [Fact]
    public void A_live_process_is_read_from_proc_and_one_gone_takes_its_parents_container()
    {
        using var folder = TempFolder.ForCaller();
        Directory.CreateDirectory(folder.Combine("100"));
        File.WriteAllText(folder.Combine("100", "cgroup"), $"0::/system.slice/docker-{Id}.scope\n");
        var lookup = new ContainerLookup(live: true, folder.Path);
        var child = new AgentSight.Contracts.AgentEvent(1, "process", 200, 200, "sh",
            new AgentSight.Contracts.JsonPayload(new System.Text.Json.Nodes.JsonObject { ["event"] = "EXIT", ["ppid"] = 100 }));

        lookup.See(child);

        Assert.Equal(Id, lookup.Of(100)?.ContainerId);
        Assert.Equal(Id, lookup.Of(200)?.ContainerId);
        Assert.Null(new ContainerLookup(live: false, folder.Path).Of(100));
    }
}
