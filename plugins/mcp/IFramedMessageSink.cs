namespace AgentSight.Plugins.Mcp;

/// <summary>What a <see cref="MessageFramer"/> finds in a byte stream.</summary>
internal interface IFramedMessageSink
{
    /// <summary>One whole message's bytes (valid only during the call).</summary>
    void OnMessage(ReadOnlySpan<byte> message);

    /// <summary>A message longer than the cap: its first and last bytes.</summary>
    void OnCutMessage(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail);

    /// <summary>A line that was not JSON.</summary>
    void OnSkippedLine();
}
