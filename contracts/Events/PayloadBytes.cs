using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace AgentSight.Contracts;

/// <summary>The one string form of captured bytes in JSON: text when it is clean UTF-8, otherwise <c>HEX:</c> and hex.</summary>
public static class PayloadBytes
{
    /// <summary>The prefix of the hex form.</summary>
    public const string HexPrefix = "HEX:";

    /// <summary>True when the bytes are written as text rather than as <c>HEX:</c>.</summary>
    /// <remarks>
    /// Text means valid UTF-8 without control characters other than tab, CR and LF, and not starting with
    /// <c>HEX:</c> (which would be ambiguous).
    /// </remarks>
    public static bool IsText(ReadOnlySpan<byte> bytes)
    {
        if (!Utf8.IsValid(bytes) || bytes.StartsWith("HEX:"u8))
        {
            return false;
        }
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if ((b < 0x20 && b is not ((byte)'\n' or (byte)'\r' or (byte)'\t')) || b == 0x7F)
            {
                return false;
            }
            // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
            if (b == 0xC2 && i + 1 < bytes.Length && bytes[i + 1] <= 0x9F)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The bytes as their JSON string form.</summary>
    public static string Format(ReadOnlySpan<byte> bytes) =>
        IsText(bytes) ? System.Text.Encoding.UTF8.GetString(bytes) : HexPrefix + Convert.ToHexStringLower(bytes);

    /// <summary>Decodes the string form back into bytes exactly.</summary>
    public static byte[] Decode(string data)
    {
        if (data.StartsWith(HexPrefix, StringComparison.Ordinal))
        {
            try
            {
                return Convert.FromHexString(data.AsSpan(HexPrefix.Length));
            }
            catch (FormatException)
            {
                // Not our hex form after all: keep the text as it is.
            }
        }
        return System.Text.Encoding.UTF8.GetBytes(data);
    }

    /// <summary>Writes the bytes as a JSON string value, without building a string first.</summary>
    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes)
    {
        if (IsText(bytes))
        {
            writer.WriteStringValue(bytes);
            return;
        }
        var length = HexPrefix.Length + (bytes.Length * 2);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var hex = rented.AsSpan(0, length);
            "HEX:"u8.CopyTo(hex);
            Convert.TryToHexStringLower(bytes, hex[HexPrefix.Length..], out _);
            writer.WriteStringValue(hex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
