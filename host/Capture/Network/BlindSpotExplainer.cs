using System.Text.RegularExpressions;

namespace AgentSight.Host.Capture.Network;

/// <summary>
/// Says why no probe saw a process's TLS, in words a user can act on: "no TLS library found in /usr/bin/foo", "GnuTLS
/// (libgnutls.so.30) is not opened by AgentSight", "in /path/claude (Bun 1.4.6): BoringSSL: SSL_write not matched".
/// Reads what the process maps now, or, once it has exited, its executable as seen at exec.
/// </summary>
internal sealed partial class BlindSpotExplainer(TlsProbes? probes, TlsDiscovery? discovery)
{
    /// <summary>TLS libraries AgentSight does not open, by file name.</summary>
    private static readonly (Regex Pattern, string Name)[] Unsupported =
    [
        (GnuTls(), "GnuTLS"),
        (Nss(), "NSS"),
        (WolfSsl(), "wolfSSL"),
        (MbedTls(), "Mbed TLS"),
        (Jvm(), "Java's TLS (JSSE)"),
    ];

    public BlindSpot Explain(int pid, string? executable)
    {
        // What it maps now, or, once it has exited, what it was seen mapping.
        var files = ProcMaps.ExecutableFiles(pid).Select(f => f.Path).ToList();
        if (files.Count == 0)
        {
            files.AddRange(discovery?.MappedPaths(pid) ?? []);
        }
        if (executable is not null && !files.Contains(executable))
        {
            files.Insert(0, executable);
        }
        var binary = executable ?? files.FirstOrDefault(f => !f.Contains(".so", StringComparison.Ordinal));
        var program = binary is null ? null : probes?.DiscoveryOf(binary)?.Program;
        var reasons = new List<string>();
        if (probes is null || discovery is null)
        {
            reasons.Add("TLS discovery is off in this run: only the system's libssl and --binary-path programs are probed");
        }
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            foreach (var (pattern, library) in Unsupported)
            {
                if (pattern.IsMatch(name))
                {
                    reasons.Add($"{library} ({name}) is not opened by AgentSight");
                }
            }
            if (probes?.DiscoveryOf(file) is { } found)
            {
                var about = found.Program is { } what ? $" ({what})" : string.Empty;
                reasons.AddRange(found.Problems.Select(p => $"in {file}{about}: {p}"));
                if (found.HasTls)
                {
                    reasons.Add($"{file} is probed ({string.Join(", ", found.Stacks.Select(s => s.Title))}) but its probes saw nothing of this connection: "
                        + "they were attached after it was made (a program that connects within milliseconds of starting), or the traffic takes another path");
                }
            }
        }
        if (reasons.Count == 0 && binary is not null && probes?.DiscoveryOf(binary) is null)
        {
            reasons.Add($"{binary} was not looked into before it connected (discovery runs when a program starts; one that connects within milliseconds can be missed)");
        }
        if (reasons.Count == 0)
        {
            reasons.Add(binary is null ? "no TLS library found in what it maps" : $"no TLS library found in {binary}{(program is null ? string.Empty : $" ({program})")} or what it maps");
        }
        return new BlindSpot(binary, program, string.Join("; ", reasons.Distinct()));
    }

    [GeneratedRegex(@"^libgnutls\.so")]
    private static partial Regex GnuTls();

    [GeneratedRegex(@"^(libnss3|libssl3)\.so")]
    private static partial Regex Nss();

    [GeneratedRegex(@"^libwolfssl\.so")]
    private static partial Regex WolfSsl();

    [GeneratedRegex(@"^libmbedtls\.so")]
    private static partial Regex MbedTls();

    [GeneratedRegex(@"^libjvm\.so$")]
    private static partial Regex Jvm();
}
