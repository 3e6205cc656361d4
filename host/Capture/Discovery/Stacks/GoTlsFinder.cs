using AgentSight.Host.Capture.Discovery.Go;

namespace AgentSight.Host.Capture.Discovery.Stacks;

/// <summary>
/// Go's crypto/tls, in any Go program (stripped ones too: Go keeps its function table, pclntab):
/// <c>crypto/tls.(*Conn).Write</c> at its entry, and <c>(*Conn).Read</c> at its entry and at each of its RET
/// instructions, since a return probe rewrites the return address on a stack that Go may move.
/// </summary>
/// <remarks>
/// The programs read the register ABI (Go 1.17 and later on amd64): the receiver in rax, the slice in rbx and rcx, the
/// goroutine in r14. Programs built by older Go pass arguments on the stack and are reported, not probed.
/// </remarks>
internal sealed class GoTlsFinder : ITlsStackFinder
{
    private const string Write = "crypto/tls.(*Conn).Write";
    private const string Read = "crypto/tls.(*Conn).Read";

    public string Name => "Go crypto/tls by Go's function table";

    /// <summary>An entry probe on the stack check's jump when the prologue has one (see <see cref="ProbePlacement.GoStackCheckBranch"/>).</summary>
    private static ProbeSite GoEntry(DiscoveryContext context, string name, ProbeKind kind, ulong entry, IReadOnlyList<ulong>? returns) =>
        ProbePlacement.GoStackCheckBranch(context.Elf, entry) is { } branch
            ? new ProbeSite(name, kind == ProbeKind.GoWrite ? ProbeKind.GoWriteAtStackCheck : ProbeKind.GoReadAtStackCheck, entry, returns, branch)
            : new ProbeSite(name, kind, entry, returns);

    public TlsStack? Find(DiscoveryContext context)
    {
        var table = GoFunctionTable.Read(context.Elf);
        if (table is null)
        {
            return null;
        }
        var write = table.Find(Write);
        var read = table.Find(Read);
        if (write is null && read is null)
        {
            return null; // a Go program without TLS
        }
        var version = table.Version?.StartsWith("go", StringComparison.Ordinal) == true ? table.Version[2..] : table.Version;
        if (write is null || read is null)
        {
            context.Problems.Add($"Go crypto/tls: {(write is null ? Write : Read)} not in the function table");
            return null;
        }
        if (version is not null && Version.TryParse(version.Split('-', ' ')[0], out var parsed) && parsed < new Version(1, 17))
        {
            context.Problems.Add($"Go crypto/tls: built by Go {version}, which passes arguments on the stack (Go 1.17 and later are probed)");
            return null;
        }
        var returns = ReturnSites.Find(context.Elf, read, out var complete);
        if (!complete || returns.Count == 0)
        {
            context.Problems.Add($"Go crypto/tls: the RET instructions of {Read} could not all be found ({returns.Count} decoded)");
            return null;
        }
        var sites = new List<ProbeSite>
        {
            GoEntry(context, Write, ProbeKind.GoWrite, write.Entry, null),
            GoEntry(context, Read, ProbeKind.GoRead, read.Entry, returns),
        };
        var notes = new List<string> { $"function table format {table.Format}, {table.Count} functions; {returns.Count} RET instructions in (*Conn).Read (each single-stepped: no return probes on Go)" };
        return new TlsStack("Go crypto/tls", version, "Go's function table (pclntab)", sites, notes);
    }
}
