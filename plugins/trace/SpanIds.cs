using System.Security.Cryptography;
using System.Text;

namespace AgentSight.Plugins.Trace;

/// <summary>
/// Trace and span ids made from what a span stands for (the run's root process and start, a call's exchange, a tool
/// call's id…), so that replaying a session gives the same ids: a hash, never a counter or a random number.
/// </summary>
internal static class SpanIds
{
    /// <summary>32 lowercase hex digits (16 bytes), never all zero (OpenTelemetry's invalid id).</summary>
    public static string Trace(params object[] parts) => Hex(parts, 16);

    /// <summary>16 lowercase hex digits (8 bytes), never all zero.</summary>
    public static string Span(params object[] parts) => Hex(parts, 8);

    private static string Hex(object[] parts, int bytes)
    {
        var text = string.Join('\u001f', parts.Select(p => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture)));
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        var id = hash[..bytes];
        if (!id.ContainsAnyExcept((byte)0))
        {
            id[^1] = 1;
        }
        return Convert.ToHexStringLower(id);
    }
}
