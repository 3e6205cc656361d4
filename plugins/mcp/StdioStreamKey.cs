namespace AgentSight.Plugins.Mcp;

/// <summary>
/// One writer's bytes on one stream: the stream's inode and the process that wrote them, so that the writes of a
/// process and another's reads of them are the same stream, and the two directions of a socket pair are two.
/// Without an inode, the descriptor and direction of one process stand in for it.
/// </summary>
internal readonly record struct StdioStreamKey(ulong StreamId, int Writer, int Fd, bool Written);
