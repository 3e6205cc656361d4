using System.Globalization;
using System.Text.Json;

namespace AgentSight.Contracts;

/// <summary>
/// Nanoseconds as a JSON number of milliseconds: the very bytes <c>writer.WriteNumber(name, ns / 1_000_000.0)</c> writes,
/// made from the integer's digits rather than by the shortest-form search for a double's digits, which was 6 % of the
/// host's CPU samples for a session of raw TLS events (one <c>latency_ms</c> each; docs/PERFORMANCE.md, "Stop 32").
/// </summary>
internal static class JsonMilliseconds
{
    /// <summary>
    /// Below 0.0001 ms the writer switches to exponent notation (<c>5E-05</c>); from 10^15 ns on, milliseconds have
    /// more than 15 significant digits. Between the two, the nearest double's shortest form is exactly the decimal
    /// digits of ns / 10^6 (two numbers of 15 digits are further apart than a double's precision), so both agree.
    /// </summary>
    private const long MinDigits = 100;

    private const long MaxDigits = 1_000_000_000_000_000;

    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long ns)
    {
        if (ns is < MinDigits or >= MaxDigits)
        {
            writer.WriteNumber(name, ns / 1_000_000.0);
            return;
        }
        Span<byte> digits = stackalloc byte[24];
        (ns / 1_000_000).TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
        var fraction = ns % 1_000_000;
        if (fraction != 0)
        {
            digits[length++] = (byte)'.';
            fraction.TryFormat(digits[length..], out var written, "D6", CultureInfo.InvariantCulture);
            length += written;
            while (digits[length - 1] == (byte)'0')
            {
                length--;
            }
        }
        writer.WritePropertyName(name);
        writer.WriteRawValue(digits[..length], skipInputValidation: true);
    }
}
