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
        // What the providers' SDKs (Stainless-generated: Anthropic, OpenAI) and their servers send on every call.
        "x-stainless-arch", "x-stainless-lang", "x-stainless-os", "x-stainless-package-version", "x-stainless-retry-count",
        "x-stainless-runtime", "x-stainless-runtime-version", "x-stainless-timeout", "x-stainless-read-timeout",
        "x-stainless-helper-method", "x-app", "x-goog-api-client", "anthropic-dangerous-direct-browser-access",
        "anthropic-organization-id", "anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining",
        "anthropic-ratelimit-requests-reset", "anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-remaining",
        "anthropic-ratelimit-tokens-reset", "anthropic-ratelimit-input-tokens-limit", "anthropic-ratelimit-input-tokens-remaining",
        "anthropic-ratelimit-input-tokens-reset", "anthropic-ratelimit-output-tokens-limit", "anthropic-ratelimit-output-tokens-remaining",
        "anthropic-ratelimit-output-tokens-reset", "openai-organization", "openai-processing-ms", "openai-project", "openai-version",
        "x-ratelimit-limit-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens",
        "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens", "x-envoy-upstream-service-time", "cf-cache-status",
        "access-control-expose-headers", "keep-alive", "accept-language", "origin", "referer", "x-goog-request-id",
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
        // Lowercased straight into the new string (no copy of the bytes first).
        return string.Create(bytes.Length, bytes, static (chars, source) =>
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
