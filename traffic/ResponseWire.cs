namespace AgentSight.Traffic;

/// <summary>A response's bytes as they leave the server, with when each piece leaves.</summary>
internal sealed class ResponseWire
{
    /// <summary>Status line, headers and body (chunk-encoded for streams).</summary>
    public required byte[] Bytes { get; init; }

    /// <summary>What the server sends at once: the end offset of each piece and when it leaves, in ns after the first.</summary>
    public required IReadOnlyList<(int End, long OffsetNs)> Units { get; init; }

    /// <summary>Where each chunk-size line (hex digits and CRLF) starts and how long it is.</summary>
    public required IReadOnlyList<(int Start, int Length)> SizeLines { get; init; }
}
