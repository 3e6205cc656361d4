using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace AgentSight.Contracts;

/// <summary>The one string form of captured bytes in JSON: text when it is clean UTF-8, otherwise <c>HEX:</c> and hex.</summary>
/// <remarks>Every byte of every captured read and write and of every body is checked here, so the check is made of
/// vectorized searches rather than a loop over bytes (560 against 35 ns for a 1 KB JSON response).</remarks>
public static class PayloadBytes
{
    /// <summary>The prefix of the hex form.</summary>
    public const string HexPrefix = "HEX:";

    /// <summary>C0 controls except tab, LF and CR, and DEL: bytes that make captured bytes binary.</summary>
    private static readonly SearchValues<byte> Controls = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 0x7F]);

    /// <summary>True when the bytes are written as text rather than as <c>HEX:</c>.</summary>
    /// <remarks>
    /// Text means valid UTF-8 without control characters other than tab, CR and LF, and not starting with
    /// <c>HEX:</c> (which would be ambiguous).
    /// </remarks>
    public static bool IsText(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IndexOfAny(Controls) >= 0 || !Utf8.IsValid(bytes) || bytes.StartsWith("HEX:"u8))
        {
            return false;
        }
        // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
        var rest = bytes;
        int at;
        while ((at = rest.IndexOf((byte)0xC2)) >= 0)
        {
            if (at + 1 < rest.Length && rest[at + 1] <= 0x9F)
            {
                return false;
            }
            rest = rest[(at + 1)..];
        }
        return true;
    }

    /// <summary>The bytes as their JSON string form.</summary>
    public static string Format(ReadOnlySpan<byte> bytes) =>
        IsText(bytes) ? Encoding.UTF8.GetString(bytes) : HexPrefix + Convert.ToHexStringLower(bytes);

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
        return Encoding.UTF8.GetBytes(data);
    }

    /// <summary>Writes the bytes as a JSON string value, without building a string first.</summary>
    public static void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes)
    {
        if (IsText(bytes))
        {
            writer.WriteStringValue(bytes);
            return;
        }
        WriteHex(writer, bytes);
    }

    private static void WriteHex(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes)
    {
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
