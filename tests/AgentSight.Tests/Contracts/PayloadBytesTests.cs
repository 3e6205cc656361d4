using System.Text;
using System.Text.Unicode;
using AgentSight.Contracts;
using CsCheck;

namespace AgentSight.Tests.Contracts;

/// <summary>Captured bytes are shown as text exactly when they are clean UTF-8, and as hex otherwise, losing nothing.</summary>
public sealed class PayloadBytesTests
{
    /// <summary>Bytes near every boundary the check draws: controls, DEL, the C1 lead byte, continuation bytes.</summary>
    private static readonly Gen<byte[]> Bytes =
        Gen.OneOf(Gen.Byte[0, 255], Gen.Byte[0x20, 0x7E], Gen.Const((byte)0xC2), Gen.Byte[0x80, 0xBF], Gen.Byte[0, 0x20], Gen.Const((byte)0x7F)).Array[0, 80];

    [Fact]
    public void Bytes_are_text_exactly_when_they_are_valid_UTF8_without_control_characters()
    {
        Bytes.Sample(bytes => Assert.Equal(IsTextByDefinition(bytes), PayloadBytes.IsText(bytes)), iter: 20_000);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n", true)]
    [InlineData("tab\there", true)]
    [InlineData("ünïcödé ✓ 🙂", true)]
    [InlineData("bell\u0007", false)]
    [InlineData("delete\u007f", false)]
    [InlineData("c1 control \u0085 (NEL)", false)]
    [InlineData("HEX:41", false)]
    [InlineData("", true)]
    public void Known_cases(string text, bool isText)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Equal(isText, PayloadBytes.IsText(bytes));
        Assert.Equal(bytes, PayloadBytes.Decode(PayloadBytes.Format(bytes)));
    }

    [Fact]
    public void Invalid_UTF8_and_a_long_clean_text_with_one_control_character_late_are_hex()
    {
        Assert.False(PayloadBytes.IsText([0x41, 0xC3]));
        // Past the first vector's width: a check that stopped early would call this text.
        var late = Encoding.UTF8.GetBytes(new string('a', 1000) + "\u0001" + new string('b', 10));
        Assert.False(PayloadBytes.IsText(late));
        Assert.StartsWith(PayloadBytes.HexPrefix, PayloadBytes.Format(late), StringComparison.Ordinal);
        var lateC1 = Encoding.UTF8.GetBytes(new string('é', 600) + "\u009f");
        Assert.False(PayloadBytes.IsText(lateC1));
    }

    [Fact]
    public void Any_bytes_come_back_exactly_from_their_string_form()
    {
        Bytes.Sample(bytes => Assert.Equal(bytes, PayloadBytes.Decode(PayloadBytes.Format(bytes))), iter: 5_000);
    }

    /// <summary>The rule, one character at a time.</summary>
    private static bool IsTextByDefinition(byte[] bytes)
    {
        if (!Utf8.IsValid(bytes) || bytes.AsSpan().StartsWith("HEX:"u8))
        {
            return false;
        }
        foreach (var c in Encoding.UTF8.GetString(bytes))
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return false;
            }
        }
        return true;
    }
}
