using AgentSight.Plugins.Common.Buffers;

namespace AgentSight.Plugins.Http;

/// <summary>One request or response being rebuilt: its head, its body so far and when its bytes came.</summary>
internal sealed class HttpMessage(HttpHead head, long startNs)
{
    public HttpHead Head { get; } = head;

    /// <summary>Epoch ns of the event that carried the first byte.</summary>
    public long StartNs { get; } = startNs;

    /// <summary>Epoch ns of the event that carried the last byte so far.</summary>
    public long EndNs { get; set; } = startNs;

    /// <summary>The kept decoded body; null when there is none or it is streamed.</summary>
    public ByteBuffer? Body { get; set; }

    /// <summary>Decoded body bytes seen (kept or not).</summary>
    public long BodySize { get; set; }

    /// <summary>True when body bytes are missing: beyond the cap, lost by the capture, or undecodable.</summary>
    public bool BodyTruncated { get; set; }

    /// <summary>True when the body goes on as <c>http_body</c> pieces.</summary>
    public bool Streamed { get; set; }

    /// <summary>The <c>Content-Encoding</c> as sent.</summary>
    public string? ContentEncoding { get; set; }

    /// <summary>The media type (lowercase, without parameters), or null.</summary>
    public string? MediaType { get; set; }

    /// <summary>The <c>Content-Type</c> as sent.</summary>
    public string? ContentType { get; set; }

    /// <summary>True once the framing said the message ended.</summary>
    public bool Ended { get; set; }

    /// <summary>Bytes of an unfinished UTF-8 character held back from the last streamed piece.</summary>
    public byte[] Carry { get; } = new byte[4];

    public int CarryLength { get; set; }

    /// <summary>Offset in the decoded body of the piece being gathered.</summary>
    public long PieceOffset { get; set; }

    /// <summary>The media type of a <c>Content-Type</c> (lowercase, without parameters), or null.</summary>
    public static string? MediaTypeOf(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return null;
        }
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var type = (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim();
        return type.ToLowerInvariant();
    }

    /// <summary>Starts gathering a streamed piece in <paramref name="piece"/>, with the character held back from the last one.</summary>
    public void StartPiece(ByteBuffer piece)
    {
        PieceOffset = BodySize - CarryLength;
        piece.Clear();
        piece.Append(Carry.AsSpan(0, CarryLength));
        CarryLength = 0;
    }

    /// <summary>
    /// A gathered piece without a UTF-8 character cut at its end, which is held back for the next piece, so that every
    /// piece is text when the body is.
    /// </summary>
    public ReadOnlySpan<byte> HoldBackCutCharacter(ReadOnlySpan<byte> bytes)
    {
        var tail = Utf8Tail.IncompleteLength(bytes);
        if (tail == 0)
        {
            return bytes;
        }
        bytes[^tail..].CopyTo(Carry);
        CarryLength = tail;
        return bytes[..^tail];
    }

    /// <summary>Keeps decoded bytes of a body that is not streamed, up to the analyzer's cap (counted once when cut).</summary>
    public void Keep(ReadOnlySpan<byte> bytes, HttpAnalyzer analyzer)
    {
        var room = analyzer.Config.MaxBodyBytes - (Body?.Length ?? 0);
        if (room < bytes.Length)
        {
            if (!BodyTruncated)
            {
                analyzer.Counters.BodiesTruncated.Add();
            }
            BodyTruncated = true;
        }
        var keep = (int)Math.Max(0, Math.Min(room, bytes.Length));
        if (keep > 0)
        {
            Body ??= new ByteBuffer();
            analyzer.Grow(Body.Append(bytes[..keep]));
        }
        BodySize += bytes.Length;
    }
}
