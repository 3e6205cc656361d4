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
}
