using System.Text;

namespace AgentSight.Plugins.Http;

/// <summary>Interned strings for common header names and tokens, so parsing a head allocates only the values.</summary>
internal static class WellKnown
{
    private static readonly string[] Names =
    [
        "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "HTTP/1.1", "HTTP/1.0",
        "host", "content-length", "content-type", "transfer-encoding", "content-encoding", "connection", "accept",
        "accept-encoding", "user-agent", "authorization", "x-api-key", "x-goog-api-key", "api-key", "cookie", "set-cookie",
        "date", "server", "vary", "cache-control", "request-id", "x-request-id", "anthropic-version", "anthropic-beta",
        "upgrade", "via", "cf-ray", "strict-transport-security", "x-content-type-options", "alt-svc",
    ];

    private static readonly Dictionary<int, string[]> ByLength = Names
        .GroupBy(n => n.Length)
        .ToDictionary(g => g.Key, g => g.ToArray());

    /// <summary>The name as a string (ASCII-lowercased when <paramref name="lower"/>), shared when it is a known one.</summary>
    public static string Name(ReadOnlySpan<byte> bytes, bool lower = true)
    {
        if (ByLength.TryGetValue(bytes.Length, out var candidates))
        {
            foreach (var candidate in candidates)
            {
                if (Matches(bytes, candidate, lower))
                {
                    return candidate;
                }
            }
        }
        if (!lower)
        {
            return Encoding.ASCII.GetString(bytes);
        }
        return string.Create(bytes.Length, bytes.ToArray(), static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                chars[i] = char.ToLowerInvariant((char)source[i]);
            }
        });
    }

    private static bool Matches(ReadOnlySpan<byte> bytes, string candidate, bool ignoreCase)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var c = (char)bytes[i];
            if (c != candidate[i] && !(ignoreCase && char.ToLowerInvariant(c) == candidate[i]))
            {
                return false;
            }
        }
        return true;
    }
}
