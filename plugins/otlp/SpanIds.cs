using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace AgentSight.Plugins.Otlp;

/// <summary>Ids made from what a span stands for, so a replay of a session gives the same trace.</summary>
internal static class SpanIds
{
    public static ActivityTraceId Trace(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("trace\0" + key), hash);
        return ActivityTraceId.CreateFromBytes(hash[..16]);
    }

    public static ActivitySpanId Span(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("span\0" + key), hash);
        return ActivitySpanId.CreateFromBytes(hash[..8]);
    }

    /// <summary>True for <paramref name="length"/> lowercase or uppercase hex digits, not all zero (an invalid id in W3C trace context).</summary>
    public static bool IsHex(string? text, int length) =>
        text is not null && text.Length == length && text.All(char.IsAsciiHexDigit) && text.Any(c => c != '0');
}
