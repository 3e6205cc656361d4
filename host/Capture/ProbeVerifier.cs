using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Capture;

/// <summary>
/// Watches what probes found in stripped code (no symbol said where the function is) deliver: the first bytes a client
/// writes on a new connection are an HTTP request, an HTTP/2 preface or readable text for every agent protocol. A probe
/// whose first writes on several connections are none of these is probably on the wrong function, and is said so once
/// (with the file, so that <c>probes FILE</c> can be run on it), and counted in <c>suspect_probes</c>.
/// </summary>
internal sealed class ProbeVerifier(Func<ulong, bool> foundInStrippedCode, Func<ulong, string?> library, ILogger log, Contracts.Counter suspect)
{
    /// <summary>Connections whose first write looked wrong, with none that looked right, before the probe is doubted.</summary>
    private const int Doubts = 3;

    private readonly Dictionary<ulong, (int Plausible, int Implausible)> _byCookie = [];
    private readonly HashSet<(uint Pid, ulong Connection)> _seen = [];

    /// <summary>Looks at a write, if it is the first on its connection from a probe found in stripped code.</summary>
    public void OnWrite(uint pid, ulong connection, ulong cookie, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || !foundInStrippedCode(cookie) || _seen.Count > 100_000 || !_seen.Add((pid, connection)))
        {
            return;
        }
        var (plausible, implausible) = _byCookie.GetValueOrDefault(cookie);
        if (plausible > 0 || implausible >= Doubts)
        {
            return; // decided
        }
        if (Plausible(bytes))
        {
            plausible++;
        }
        else if (++implausible == Doubts)
        {
            suspect.Add();
            log.LogWarning("TLS: the probes in {File} (found in stripped code) saw {Count} connections start with bytes that are not an HTTP request, an HTTP/2 preface or text: they may sit on the wrong functions; ./agentsight probes FILE shows how they were found",
                library(cookie) ?? "?", Doubts);
        }
        _byCookie[cookie] = (plausible, implausible);
    }

    /// <summary>An HTTP/1 request line, the HTTP/2 preface, or text (JSON-RPC, SMTP, …): what agents' clients write first.</summary>
    internal static bool Plausible(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("PRI * HTTP/2.0"u8))
        {
            return true;
        }
        var head = bytes[..Math.Min(bytes.Length, 64)];
        var printable = 0;
        foreach (var b in head)
        {
            if (b is >= 0x20 and < 0x7f or (byte)'\r' or (byte)'\n' or (byte)'\t')
            {
                printable++;
            }
        }
        return printable * 10 >= head.Length * 9;
    }
}
