namespace AgentSight.Host.Capture.Discovery;

/// <summary>A function to probe: what it is, where it starts and, for Go, where it returns.</summary>
/// <param name="Function">Its name (or what it was recognised as), for logs and the <c>probes</c> command.</param>
/// <param name="Kind">Which programs are attached, and how its arguments are read.</param>
/// <param name="Address">Its first instruction (virtual address).</param>
/// <param name="Returns">The addresses of its RET instructions, where a return probe cannot be used (Go).</param>
/// <param name="ProbeAt">Where the entry probe goes when not on the first instruction (one the kernel emulates, see <see cref="ProbePlacement"/>).</param>
internal sealed record ProbeSite(string Function, ProbeKind Kind, ulong Address, IReadOnlyList<ulong>? Returns = null, ulong? ProbeAt = null)
{
    /// <summary>The address the entry probe is attached at.</summary>
    public ulong EntryProbe => ProbeAt ?? Address;
}
