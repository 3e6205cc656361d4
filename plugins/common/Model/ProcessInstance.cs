namespace AgentSight.Plugins.Common.Model;

/// <summary>One process as the session saw it: from its fork (or first sighting) to its exit.</summary>
/// <remarks>
/// A pid names several instances over a long session when the kernel reuses it: a fork or exec after an exit starts
/// a new instance. Instances are numbered from 1 in the order they were first seen.
/// </remarks>
public sealed class ProcessInstance
{
    public required int Id { get; init; }

    public required int Pid { get; init; }

    /// <summary>The parent's pid, when a process event said it.</summary>
    public int? Ppid { get; set; }

    /// <summary>The parent instance, when it was seen in this session.</summary>
    public ProcessInstance? Parent { get; set; }

    public string Comm { get; set; } = string.Empty;

    /// <summary>The executed file of the last exec.</summary>
    public string? Filename { get; set; }

    /// <summary>The command line of the last exec.</summary>
    public IReadOnlyList<string>? Argv { get; set; }

    /// <summary>The container it runs in (64 hex digits), as its exec, fork or first event said; null: in none.</summary>
    public string? ContainerId { get; set; }

    /// <summary>docker, containerd, cri-o, podman or kubepods, when the cgroup path said.</summary>
    public string? ContainerRuntime { get; set; }

    /// <summary>The Kubernetes pod's uid, for a pod's container.</summary>
    public string? PodUid { get; set; }

    /// <summary>When it was forked, or else exec'd, or else first seen (epoch ns).</summary>
    public long StartNs { get; set; }

    /// <summary>True when <see cref="StartNs"/> is a fork or exec, not merely the first event seen.</summary>
    public bool StartKnown { get; set; }

    public long? ExecNs { get; set; }

    public long? EndNs { get; set; }

    public long LastSeenNs { get; set; }

    public int? ExitCode { get; set; }

    public int? Signal { get; set; }

    public bool CoreDumped { get; set; }

    /// <summary>The kernel's duration since exec, when the exit event carried it.</summary>
    public double? DurationMs { get; set; }

    public bool Exited => EndNs is not null;

    /// <summary>The command line as one string: argv joined, or the file, or the comm.</summary>
    public string CommandLine => Argv is { Count: > 0 } argv ? string.Join(' ', argv) : Filename ?? Comm;

    /// <summary>Milliseconds from start to exit: the kernel's figure when given, else the difference of the times.</summary>
    public double? LifetimeMs => DurationMs ?? (EndNs is { } end && StartKnown ? (end - StartNs) / 1_000_000.0 : null);
}
