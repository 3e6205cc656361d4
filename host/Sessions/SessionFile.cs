using System.Text;
using AgentSight.Contracts;

namespace AgentSight.Host.Sessions;

/// <summary>What is in an NDJSON recording (whether its events were already analyzed), and the header plugins recognize their stored sessions by.</summary>
internal static class SessionFile
{
    /// <summary>How much of a file's start a plugin's reader sees to recognize its format.</summary>
    public const int HeaderLength = 512;

    /// <summary>Sources only the analyzers write: a recording holding them went through the analyzers already.</summary>
    public static readonly IReadOnlySet<string> DerivedSources = new HashSet<string>(StringComparer.Ordinal)
    {
        EventSources.Llm, EventSources.Http, EventSources.Sse, EventSources.HttpBody, EventSources.Mcp,
    };

    private static readonly byte[][] AnalyzedMarkers = [.. DerivedSources.Select(SourceMarker)];

    // Reads and writes, not handshakes: those pass the analyzers untouched, so every analyzed recording holds them.
    private static readonly byte[][] RawTlsMarkers = ["\"function\":\"READ/RECV\""u8.ToArray(), "\"function\":\"WRITE/SEND\""u8.ToArray()];

    /// <summary>How a source appears in the lines we write (compact JSON): only our own output holds analyzer events.</summary>
    private static byte[] SourceMarker(string source) => Encoding.UTF8.GetBytes($"\"source\":\"{source}\"");

    /// <summary>The first <see cref="HeaderLength"/> bytes of a file (fewer when it is shorter).</summary>
    public static byte[] HeaderOf(string path)
    {
        using var stream = File.OpenRead(path);
        var header = new byte[HeaderLength];
        var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        return header[..read];
    }

    /// <summary>
    /// True when an NDJSON recording already holds the analyzers' output (it was recorded through them): running them
    /// again would rebuild every exchange a second time.
    /// </summary>
    public static bool HoldsAnalyzedEvents(string path) => HoldsAny(path, AnalyzedMarkers);

    /// <summary>
    /// True when an NDJSON recording holds raw TLS reads or writes (an analyzed one does when recorded with
    /// <c>http.keep_raw</c>): what the analyzers can derive their output from again.
    /// </summary>
    public static bool HoldsRawTls(string path) => HoldsAny(path, RawTlsMarkers);

    /// <summary>A scan of the bytes for any of <paramref name="markers"/>, fast enough for large recordings.</summary>
    private static bool HoldsAny(string path, byte[][] markers)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
        var buffer = new byte[1 << 20];
        var keep = markers.Max(m => m.Length) - 1;
        var filled = 0;
        while (true)
        {
            var read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                return false;
            }
            filled += read;
            var span = buffer.AsSpan(0, filled);
            foreach (var marker in markers)
            {
                if (span.IndexOf(marker) >= 0)
                {
                    return true;
                }
            }
            // Keep the tail: a marker may straddle two reads.
            var tail = Math.Min(keep, filled);
            span[^tail..].CopyTo(buffer);
            filled = tail;
        }
    }
}
