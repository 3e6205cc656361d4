using System.Collections.Concurrent;
using AgentSight.Host.Bpf;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Capture;

/// <summary>
/// Attaches the TLS program to OpenSSL-compatible libraries and binaries, once per file (uprobes belong to the
/// file's inode, so one attachment covers every process that maps it; the program's filter keeps the traced ones).
/// Each file gets a cookie, which the records carry back, so events can name the library that saw them.
/// </summary>
internal sealed class TlsProbes : IDisposable
{
    /// <summary>The functions probed, with the programs for their entry and their return; a file must export the required ones.</summary>
    private static readonly (string Function, string Entry, string Exit, bool Required)[] Probes =
    [
        ("SSL_read", "ssl_read_enter", "ssl_read_exit", true),
        ("SSL_write", "ssl_write_enter", "ssl_write_exit", true),
        ("SSL_read_ex", "ssl_read_ex_enter", "ssl_read_ex_exit", false),
        ("SSL_write_ex", "ssl_write_ex_enter", "ssl_write_ex_exit", false),
        ("SSL_do_handshake", "ssl_handshake_enter", "ssl_handshake_exit", false),
    ];

    /// <summary>One probe pair: where (file offset) and with which programs.</summary>
    private sealed record ProbeSite(string Label, ulong FileOffset, string Entry, string Exit);

    public static IReadOnlyList<string> FunctionNames { get; } = [.. Probes.Select(p => p.Function)];

    private readonly Dictionary<string, BpfProgram> _programs;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly Dictionary<FileIdentity, string?> _checked = [];
    private readonly List<BpfLink> _links = [];
    private readonly ConcurrentDictionary<ulong, string> _libraries = new();
    private readonly bool _probeInternalFunctions;
    private ulong _nextCookie = 1;
    private bool _disposed;

    public TlsProbes(BpfObject tls, ILogger log, bool probeInternalFunctions = true)
    {
        _log = log;
        _probeInternalFunctions = probeInternalFunctions;
        _programs = Probes.SelectMany(p => new[] { p.Entry, p.Exit }).ToDictionary(n => n, tls.Program, StringComparer.Ordinal);
    }

    /// <summary>The library or binary a record's cookie names.</summary>
    public string? LibraryName(ulong cookie) => _libraries.TryGetValue(cookie, out var name) ? name : null;

    /// <summary>
    /// Probes <paramref name="accessPath"/> if it exports OpenSSL's functions and has not been looked at before.
    /// </summary>
    /// <param name="accessPath">Where to open the file from this process.</param>
    /// <param name="displayPath">The path to show (as the traced process sees it).</param>
    /// <param name="requested">Named by the user or a system candidate: every outcome is logged, not only success.</param>
    /// <param name="fullSymbolTable">Also look in the full symbol table (for binaries named explicitly).</param>
    public TlsAttachResult TryAttach(string accessPath, string displayPath, bool requested, bool fullSymbolTable = false)
    {
        if (!Posix.TryGetIdentity(accessPath, out var identity))
        {
            return Report(TlsAttachResult.Failed(displayPath, "not found"), requested);
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_checked.TryGetValue(identity, out var earlier))
            {
                return earlier is null
                    ? TlsAttachResult.Skipped(displayPath, "already looked at: no OpenSSL functions")
                    : TlsAttachResult.AlreadyAttached(displayPath, earlier);
            }

            List<ProbeSite> sites;
            List<string> slow;
            try
            {
                using var elf = ElfImage.Open(accessPath);
                var addresses = elf.FindFunctions([.. FunctionNames], fullSymbolTable);
                var missing = Probes.Where(p => p.Required && !addresses.ContainsKey(p.Function)).Select(p => p.Function).ToList();
                if (missing.Count > 0)
                {
                    _checked[identity] = null;
                    return Report(TlsAttachResult.Skipped(displayPath, $"does not export {string.Join(" or ", missing)}"), requested);
                }
                sites = Plan(elf, addresses, _probeInternalFunctions, out slow);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                _checked[identity] = null;
                return Report(TlsAttachResult.Failed(displayPath, ex.Message), requested);
            }

            var cookie = _nextCookie++;
            var links = new List<BpfLink>();
            try
            {
                foreach (var site in sites)
                {
                    links.Add(_programs[site.Entry].AttachUprobe(accessPath, site.FileOffset, returnProbe: false, cookie));
                    links.Add(_programs[site.Exit].AttachUprobe(accessPath, site.FileOffset, returnProbe: true, cookie));
                }
            }
            catch (BpfException ex)
            {
                foreach (var link in links)
                {
                    link.Dispose();
                }
                _checked[identity] = null;
                return Report(TlsAttachResult.Failed(displayPath, ex.Message), requested: true);
            }
            _libraries[cookie] = displayPath;
            _links.AddRange(links);
            _checked[identity] = displayPath;
            var functions = sites.Select(s => s.Label).ToList();
            _log.LogInformation("TLS: probing {Library} ({Functions})", displayPath, string.Join(", ", functions));
            if (slow.Count > 0)
            {
                _log.LogInformation("TLS: in {Library}, {Functions} begin with an instruction the kernel must single-step: each call costs a debug trap (docs/CAPTURE.md, \"Probe cost\")",
                    displayPath, string.Join(", ", slow));
            }
            return TlsAttachResult.Success(displayPath, functions);
        }
    }

    /// <summary>
    /// Where each function is probed (see <see cref="ProbePlacement"/>): at its entry, or, for a thin
    /// <c>SSL_*_ex</c> wrapper, at the internal function it calls, which the plain <c>SSL_read</c>/<c>SSL_write</c>
    /// call too (they are then not probed again, so no call is seen twice).
    /// </summary>
    private static List<ProbeSite> Plan(ElfImage elf, Dictionary<string, ulong> addresses, bool probeInternalFunctions, out List<string> slow)
    {
        var sites = new List<ProbeSite>();
        slow = [];
        foreach (var (ex, plain, entry, exit, plainEntry, plainExit) in new[]
        {
            ("SSL_read_ex", "SSL_read", "ssl_read_ex_enter", "ssl_read_ex_exit", "ssl_read_enter", "ssl_read_exit"),
            ("SSL_write_ex", "SSL_write", "ssl_write_ex_enter", "ssl_write_ex_exit", "ssl_write_enter", "ssl_write_exit"),
        })
        {
            ulong? inner = null;
            if (addresses.TryGetValue(ex, out var exAddress))
            {
                var code = elf.ReadCode(exAddress, 16);
                if (probeInternalFunctions && !ProbePlacement.IsEmulated(code) && ProbePlacement.ThinWrapperTarget(exAddress, code) is { } target
                    && ProbePlacement.IsEmulated(elf.ReadCode(target, 16)) && elf.ToFileOffset(target) is { } targetOffset)
                {
                    inner = target;
                    sites.Add(new ProbeSite($"{ex} and {plain} through their internal function", targetOffset, entry, exit));
                }
                else
                {
                    sites.Add(new ProbeSite(ex, elf.ToFileOffset(exAddress)!.Value, entry, exit));
                    if (!ProbePlacement.IsEmulated(code))
                    {
                        slow.Add(ex);
                    }
                }
            }
            var plainAddress = addresses[plain];
            if (inner is { } covered && ProbePlacement.Calls(plainAddress, elf.ReadCode(plainAddress, 160), covered))
            {
                continue;
            }
            sites.Add(new ProbeSite(plain, elf.ToFileOffset(plainAddress)!.Value, plainEntry, plainExit));
            if (!ProbePlacement.IsEmulated(elf.ReadCode(plainAddress, 16)))
            {
                slow.Add(plain);
            }
        }
        if (addresses.TryGetValue("SSL_do_handshake", out var handshake))
        {
            sites.Add(new ProbeSite("SSL_do_handshake", elf.ToFileOffset(handshake)!.Value, "ssl_handshake_enter", "ssl_handshake_exit"));
            if (!ProbePlacement.IsEmulated(elf.ReadCode(handshake, 16)))
            {
                slow.Add("SSL_do_handshake");
            }
        }
        return sites;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var link in _links)
            {
                link.Dispose();
            }
            _links.Clear();
        }
    }

    private TlsAttachResult Report(TlsAttachResult result, bool requested)
    {
        if (requested)
        {
            _log.LogInformation("TLS: not probing {Library}: {Reason}", result.Path, result.Reason);
        }
        else
        {
            _log.LogDebug("TLS: not probing {Library}: {Reason}", result.Path, result.Reason);
        }
        return result;
    }
}
