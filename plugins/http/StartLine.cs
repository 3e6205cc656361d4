namespace AgentSight.Plugins.Http;

/// <summary>What the first line of a message turned out to be.</summary>
internal enum MessageKind
{
    Unknown,
    Request,
    Response,
}

/// <summary>Result of checking the bytes of a start line seen so far.</summary>
internal enum StartLineCheck
{
    /// <summary>These bytes cannot begin an HTTP/1.x start line.</summary>
    Invalid,

    /// <summary>They can; more bytes are needed to be sure.</summary>
    Possible,

    /// <summary>A whole, valid start line (ending in LF).</summary>
    Complete,
}

/// <summary>
/// Recognises HTTP/1.x start lines by parsing them from their first byte: <c>METHOD SP target SP HTTP/1.x</c> or
/// <c>HTTP/1.x SP 3DIGIT [SP reason]</c>. Never searches for a pattern inside the data, so a body that mentions
/// <c>localhost:</c> or <c>HTTP/1.1</c> is not mistaken for a message.
/// </summary>
internal static class StartLine
{
    /// <summary>Longest method accepted (WebDAV's are the longest real ones).</summary>
    private const int MaxMethod = 24;

    /// <summary>
    /// Checks <paramref name="bytes"/>, the beginning of a message (up to and including its first LF, if any).
    /// <paramref name="expected"/> restricts the kind; <paramref name="kind"/> is what it is when not Invalid.
    /// </summary>
    public static StartLineCheck Check(ReadOnlySpan<byte> bytes, MessageKind expected, out MessageKind kind)
    {
        kind = MessageKind.Unknown;
        if (bytes.IsEmpty)
        {
            return StartLineCheck.Possible;
        }
        if (bytes[0] == (byte)'H' && expected != MessageKind.Request)
        {
            // "HTTP/1." is also a valid method token prefix ("H", "HT"...), but no method contains '/'.
            var status = CheckStatusLine(bytes);
            if (status != StartLineCheck.Invalid)
            {
                kind = MessageKind.Response;
                return status;
            }
        }
        if (expected == MessageKind.Response)
        {
            return StartLineCheck.Invalid;
        }
        var request = CheckRequestLine(bytes);
        if (request != StartLineCheck.Invalid)
        {
            kind = MessageKind.Request;
        }
        return request;
    }

    private static StartLineCheck CheckStatusLine(ReadOnlySpan<byte> b)
    {
        ReadOnlySpan<byte> prefix = "HTTP/1."u8;
        var n = Math.Min(b.Length, prefix.Length);
        if (!b[..n].SequenceEqual(prefix[..n]))
        {
            return StartLineCheck.Invalid;
        }
        var i = prefix.Length;
        if (b.Length <= i)
        {
            return StartLineCheck.Possible;
        }
        if (b[i] is not ((byte)'0' or (byte)'1'))
        {
            return StartLineCheck.Invalid;
        }
        i++;
        if (b.Length <= i)
        {
            return StartLineCheck.Possible;
        }
        if (b[i] != (byte)' ')
        {
            return StartLineCheck.Invalid;
        }
        i++;
        for (var d = 0; d < 3; d++, i++)
        {
            if (b.Length <= i)
            {
                return StartLineCheck.Possible;
            }
            if (!char.IsAsciiDigit((char)b[i]))
            {
                return StartLineCheck.Invalid;
            }
        }
        if (b.Length <= i)
        {
            return StartLineCheck.Possible;
        }
        if (b[i] == (byte)' ')
        {
            // Reason phrase: anything but control characters (tab allowed), up to the line end.
            for (i++; i < b.Length; i++)
            {
                var c = b[i];
                if (c == (byte)'\r' || c == (byte)'\n')
                {
                    break;
                }
                if ((c < 0x20 && c != (byte)'\t') || c == 0x7F)
                {
                    return StartLineCheck.Invalid;
                }
            }
        }
        return LineEnd(b, i);
    }

    private static StartLineCheck CheckRequestLine(ReadOnlySpan<byte> b)
    {
        var i = 0;
        for (; i < b.Length && b[i] != (byte)' '; i++)
        {
            var c = b[i];
            if (!(char.IsAsciiLetterUpper((char)c) || c == (byte)'-' || c == (byte)'_') || i >= MaxMethod)
            {
                return StartLineCheck.Invalid;
            }
        }
        if (i == b.Length)
        {
            return StartLineCheck.Possible;
        }
        if (i == 0)
        {
            return StartLineCheck.Invalid;
        }
        i++;
        var targetStart = i;
        for (; i < b.Length && b[i] != (byte)' '; i++)
        {
            if (b[i] <= 0x20 || b[i] == 0x7F)
            {
                return StartLineCheck.Invalid;
            }
        }
        if (i == b.Length)
        {
            return StartLineCheck.Possible;
        }
        if (i == targetStart)
        {
            return StartLineCheck.Invalid;
        }
        i++;
        ReadOnlySpan<byte> version = "HTTP/1."u8;
        for (var v = 0; v < version.Length; v++, i++)
        {
            if (b.Length <= i)
            {
                return StartLineCheck.Possible;
            }
            if (b[i] != version[v])
            {
                return StartLineCheck.Invalid;
            }
        }
        if (b.Length <= i)
        {
            return StartLineCheck.Possible;
        }
        if (b[i] is not ((byte)'0' or (byte)'1'))
        {
            return StartLineCheck.Invalid;
        }
        return LineEnd(b, i + 1);
    }

    /// <summary>At <paramref name="i"/> the line must end: CR LF or a lone LF.</summary>
    private static StartLineCheck LineEnd(ReadOnlySpan<byte> b, int i)
    {
        if (b.Length <= i)
        {
            return StartLineCheck.Possible;
        }
        if (b[i] == (byte)'\n')
        {
            return StartLineCheck.Complete;
        }
        if (b[i] != (byte)'\r')
        {
            return StartLineCheck.Invalid;
        }
        if (b.Length <= i + 1)
        {
            return StartLineCheck.Possible;
        }
        return b[i + 1] == (byte)'\n' ? StartLineCheck.Complete : StartLineCheck.Invalid;
    }
}
