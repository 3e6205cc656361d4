using AgentSight.Host.Capture.Network;

namespace AgentSight.Host.Capture;

/// <summary>What else, besides <c>process</c> events, the process records tell: TLS discovery and coverage listen here.</summary>
internal sealed class ProcessHooks
{
    /// <summary>
    /// A traced process ran a program: (pid, the path as passed to execve, held: the kernel stopped it until its
    /// program is probed, and it must be sent SIGCONT).
    /// </summary>
    public Action<int, string, bool>? Exec { get; init; }

    /// <summary>A traced process ended, and every ring was drained after its end.</summary>
    public Action<int>? Exit { get; init; }

    /// <summary>
    /// A connect() returned: (header, fd, result or -errno, the address when decodable, comm). With
    /// <see cref="RecordLayout.ProcessHeld"/> in the header's flags, the process (a child forked by a probed one) was
    /// stopped until its probes are attached, and must be sent SIGCONT.
    /// </summary>
    public ConnectHandler? Connect { get; init; }

    /// <summary>
    /// A traced process mapped a file executable for the first time, or one whose probes are not attached for it yet
    /// (scoped probes): (pid, the kernel's dev_t, inode, held: stopped until they are, and it must be sent SIGCONT).
    /// </summary>
    public Action<int, ulong, ulong, bool>? Mapped { get; init; }

    /// <summary>
    /// Scoped probes: a followed process that may already run files with TLS has none attached for it (pid): a child
    /// forked by a process with probes of its own, a running process followed from its new name.
    /// </summary>
    public Action<int>? NeedsProbes { get; init; }

    /// <summary>Scoped probes: a followed process that is never stopped (a job of a terminal) ran a program (pid).</summary>
    public Action<int>? Unholdable { get; init; }
}

/// <summary>See <see cref="ProcessHooks.Connect"/>.</summary>
internal delegate void ConnectHandler(in ProcessRecordHeader header, int fd, int result, SocketAddress? address, string comm);
