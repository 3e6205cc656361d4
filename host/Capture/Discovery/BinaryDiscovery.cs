using System.Diagnostics;
using AgentSight.Host.Capture.Discovery.Stacks;

namespace AgentSight.Host.Capture.Discovery;

/// <summary>
/// Looks into one file for every TLS stack AgentSight can probe, in a fixed order: exported OpenSSL first (exact,
/// cheap), then the stacks found in stripped code (BoringSSL in Bun, OpenSSL linked statically, aws-lc under rustls,
/// Go's crypto/tls).
/// </summary>
internal sealed class BinaryDiscovery(IReadOnlyList<ITlsStackFinder> finders)
{
    /// <summary>Every finder, in the order they run.</summary>
    public static BinaryDiscovery Default(bool probeInternalFunctions = true) => new(
    [
        new OpenSslExportsFinder(probeInternalFunctions),
        new BoringSslFinder(),
        new OpenSslStaticFinder(),
        new AwsLcAeadFinder(),
        new GoTlsFinder(),
    ]);

    /// <summary>Analyses <paramref name="accessPath"/>; throws <see cref="InvalidDataException"/> or an I/O error when it cannot be read.</summary>
    public FileDiscovery Analyse(string accessPath, string displayPath, bool fullSymbolTable = false)
    {
        var started = Stopwatch.GetTimestamp();
        using var elf = ElfImage.Open(accessPath);
        var context = new DiscoveryContext(elf, fullSymbolTable);
        var stacks = new List<TlsStack>();
        foreach (var finder in finders)
        {
            if (finder.Find(context) is { } stack)
            {
                stacks.Add(stack);
                // The exported API is the library's own door: nothing deeper is probed in the same file.
                if (finder is OpenSslExportsFinder)
                {
                    break;
                }
            }
        }
        // Every probe on an instruction the kernel emulates where one is at hand (see ProbePlacement).
        stacks = [.. stacks.Select(stack => stack with
        {
            Sites = [.. stack.Sites.Select(site => site.ProbeAt is null && ProbePlacement.EntrySite(elf, site.Address) is var at && at != site.Address ? site with { ProbeAt = at } : site)],
        })];
        return new FileDiscovery(displayPath, elf.BuildId, ProgramKind.Describe(context), stacks, context.Problems, Stopwatch.GetElapsedTime(started), FromCache: false);
    }
}
