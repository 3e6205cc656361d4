using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace AgentSight.Plugins.Http;

/// <summary>
/// The string form of body bytes, exactly as <see cref="AgentSight.Contracts.TlsPayload.FormatData"/> makes it (text
/// when valid UTF-8 without control characters other than tab, CR and LF, otherwise <c>HEX:</c>), with vectorized
/// checks: this runs on every byte of every body.
/// </summary>
internal static class BodyText
{
    /// <summary>C0 controls except tab, LF and CR, and DEL.</summary>
    private static readonly SearchValues<byte> Controls = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 0x7F]);

    public static string Format(ReadOnlySpan<byte> bytes) =>
        IsText(bytes) ? Encoding.UTF8.GetString(bytes) : AgentSight.Contracts.TlsPayload.FormatData(bytes);

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
}
