namespace AgentSight.Host.Runners.Replay;

/// <summary>Receives the lines <see cref="NdjsonLineReader"/> finds, synchronously, while their bytes are valid.</summary>
internal interface ILineHandler
{
    /// <summary>A non-blank line without its line ending (and without a leading BOM on line 1).</summary>
    /// <param name="line">The bytes; valid only during the call.</param>
    /// <param name="lineNumber">1-based.</param>
    void OnLine(ReadOnlySpan<byte> line, long lineNumber);

    /// <summary>A line longer than the limit; its bytes are skipped, never buffered whole.</summary>
    void OnLineTooLong(long lineNumber, int maxLineBytes);
}
