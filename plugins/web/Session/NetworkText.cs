using System.Globalization;

namespace AgentSight.Plugins.Web.Session;

/// <summary>
/// The words of the unseen-TLS warning, shared by the Overview and the report so both say the same: a blind spot
/// must read the same wherever the user meets it.
/// </summary>
internal static class NetworkText
{
    /// <summary>Hosts named in one line; the rest are counted.</summary>
    private const int MaxHosts = 3;

    /// <summary>"2 TLS connections were not seen: gnutls-cli 4242 (/usr/bin/gnutls-cli) to api.x.com: GnuTLS … is not opened by AgentSight".</summary>
    public static string Unseen(long count, string comm, int pid, string? binary, string? program, IReadOnlyList<string> hosts, string? reason)
    {
        var what = string.Join(", ", new[] { binary, program }.Where(p => p is not null));
        var process = $"{comm} {pid.ToString(CultureInfo.InvariantCulture)}{(what.Length > 0 ? $" ({what})" : "")}";
        var to = hosts.Count <= MaxHosts
            ? string.Join(", ", hosts)
            : $"{string.Join(", ", hosts.Take(MaxHosts))} and {(hosts.Count - MaxHosts).ToString(CultureInfo.InvariantCulture)} more";
        return $"{Connections(count)} not seen: {process} to {to}: {reason ?? "no reason was given"}";
    }

    /// <summary>The line for a run that counted unseen connections but wrote no network events that say which.</summary>
    public static string CountedOnly(long count) =>
        $"{Connections(count)} not seen (counted by the capture; this session has no network events that say which process, host and why)";

    private static string Connections(long count) =>
        count == 1 ? "1 TLS connection was" : $"{count.ToString("N0", CultureInfo.InvariantCulture)} TLS connections were";
}
