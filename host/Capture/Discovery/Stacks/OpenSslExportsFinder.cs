namespace AgentSight.Host.Capture.Discovery.Stacks;

/// <summary>
/// OpenSSL's API exported by name: <c>libssl.so</c>, and programs that carry OpenSSL (or BoringSSL) and export it, such
/// as Node.js from nodejs.org. <c>SSL_read</c> and <c>SSL_write</c> are required; the <c>_ex</c> variants and
/// <c>SSL_do_handshake</c> are probed when present.
/// </summary>
/// <remarks>
/// Where a thin <c>SSL_*_ex</c> wrapper would be single-stepped, its internal function is probed instead (see
/// <see cref="ProbePlacement"/>); the plain <c>SSL_read</c>/<c>SSL_write</c> that call the same function are then not
/// probed again, so no call is seen twice.
/// </remarks>
internal sealed class OpenSslExportsFinder(bool probeInternalFunctions = true) : ITlsStackFinder
{
    private static readonly string[] Functions = ["SSL_read", "SSL_write", "SSL_read_ex", "SSL_write_ex", "SSL_do_handshake"];

    public string Name => "OpenSSL's exported functions";

    public TlsStack? Find(DiscoveryContext context)
    {
        var elf = context.Elf;
        var addresses = elf.FindFunctions(Functions, context.FullSymbolTable);
        if (!addresses.ContainsKey("SSL_read") || !addresses.ContainsKey("SSL_write"))
        {
            return null;
        }
        var sites = new List<ProbeSite>();
        var notes = new List<string>();
        foreach (var (ex, plain, exKind, plainKind) in new[]
        {
            ("SSL_read_ex", "SSL_read", ProbeKind.SslReadEx, ProbeKind.SslRead),
            ("SSL_write_ex", "SSL_write", ProbeKind.SslWriteEx, ProbeKind.SslWrite),
        })
        {
            ulong? inner = null;
            if (addresses.TryGetValue(ex, out var exAddress))
            {
                var code = elf.ReadCode(exAddress, 16);
                if (probeInternalFunctions && !ProbePlacement.IsEmulated(code) && ProbePlacement.ThinWrapperTarget(exAddress, code) is { } target
                    && ProbePlacement.IsEmulated(elf.ReadCode(target, 16)) && elf.ToFileOffset(target) is not null)
                {
                    inner = target;
                    sites.Add(new ProbeSite($"{ex} and {plain} through their internal function", exKind, target));
                }
                else
                {
                    sites.Add(new ProbeSite(ex, exKind, exAddress));
                }
            }
            var plainAddress = addresses[plain];
            if (inner is { } covered && ProbePlacement.Calls(plainAddress, elf.ReadCode(plainAddress, 160), covered))
            {
                continue;
            }
            sites.Add(new ProbeSite(plain, plainKind, plainAddress));
        }
        if (addresses.TryGetValue("SSL_do_handshake", out var handshake))
        {
            sites.Add(new ProbeSite("SSL_do_handshake", ProbeKind.SslHandshake, handshake));
        }
        var slow = sites.Where(s => !ProbePlacement.IsEmulated(elf.ReadCode(s.Address, 16))).Select(s => s.Function).ToList();
        if (slow.Count > 0)
        {
            notes.Add($"{string.Join(", ", slow)} begin with an instruction the kernel must single-step: each call costs a debug trap");
        }
        return new TlsStack("OpenSSL", context.VersionAfter("OpenSSL "), "exported symbols", sites, notes);
    }
}
