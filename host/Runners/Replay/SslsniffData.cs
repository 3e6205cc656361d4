using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AgentSight.Host.Runners.Replay;

/// <summary>Recovers the exact captured bytes from a raw sslsniff line's <c>data</c> string.</summary>
/// <remarks>
/// sslsniff prints valid UTF-8 as it is and every byte it cannot print as <c>\u00XX</c>, one escape per byte. A
/// JSON parser turns <c>\u00e9</c> into the character U+00E9, whose UTF-8 is two bytes, so bytes 0x80-0xFF would
/// come back doubled. Reading the escapes as bytes gives back what the program sent, and also repairs the mojibake
/// of an sslsniff run under LANG=C, which escapes every non-ASCII byte on its own (é as <c>\u00c3\u00a9</c>).
/// </remarks>
internal static class SslsniffData
{
    /// <summary>Cheap pre-check: does the line contain an escape of a byte in 0x80-0xFF?</summary>
    public static bool MayHaveHighByteEscapes(ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var at = line.IndexOf(@"\u00"u8);
            if (at < 0 || at + 4 >= line.Length)
            {
                return false;
            }
            if (line[at + 4] is (>= (byte)'8' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F'))
            {
                return true;
            }
            line = line[(at + 4)..];
        }
    }

    /// <summary>The bytes of the top-level <c>data</c> string, reading <c>\u0000</c>-<c>\u00ff</c> as single bytes.</summary>
    public static bool TryReadData(ReadOnlySpan<byte> line, out byte[] bytes)
    {
        bytes = [];
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isData = reader.ValueTextEquals("data"u8);
                reader.Read();
                if (isData)
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }
                    bytes = reader.ValueIsEscaped ? Unescape(reader.ValueSpan) : reader.ValueSpan.ToArray();
                    return true;
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // The line was parsed once already; this cannot happen, and the JSON-decoded text stays in place.
        }
        return false;
    }

    private static byte[] Unescape(ReadOnlySpan<byte> escaped)
    {
        // Every escape is at least as long as what it stands for, so the result fits in the escaped length.
        var output = new byte[escaped.Length];
        var length = 0;
        var i = 0;
        while (i < escaped.Length)
        {
            var next = escaped[i..].IndexOf((byte)'\\');
            if (next < 0)
            {
                next = escaped.Length - i;
            }
            escaped.Slice(i, next).CopyTo(output.AsSpan(length));
            length += next;
            i += next;
            if (i >= escaped.Length)
            {
                break;
            }

            var kind = escaped[i + 1];
            i += 2;
            if (kind != (byte)'u')
            {
                output[length++] = kind switch
                {
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    _ => kind, // \" \\ \/
                };
                continue;
            }

            var code = ReadHex4(escaped.Slice(i, 4));
            i += 4;
            if (code <= 0xFF)
            {
                output[length++] = (byte)code;
                continue;
            }
            Rune rune;
            if (char.IsHighSurrogate((char)code) && i + 6 <= escaped.Length && escaped[i] == (byte)'\\' && escaped[i + 1] == (byte)'u'
                && char.IsLowSurrogate((char)ReadHex4(escaped.Slice(i + 2, 4))))
            {
                rune = new Rune((char)code, (char)ReadHex4(escaped.Slice(i + 2, 4)));
                i += 6;
            }
            else if (!Rune.TryCreate((char)code, out rune))
            {
                rune = Rune.ReplacementChar;
            }
            length += rune.EncodeToUtf8(output.AsSpan(length));
        }
        return output.AsSpan(0, length).ToArray();
    }

    private static int ReadHex4(ReadOnlySpan<byte> hex) =>
        int.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
