using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Llm.WebSocket;

/// <summary>One text message of a model's WebSocket, as the <c>http</c> analyzer's <c>websocket</c> event gave it.</summary>
/// <param name="Event">The <c>websocket</c> event.</param>
/// <param name="FromClient">Sent by the client (the agent), else by the server.</param>
/// <param name="Type">The message's <c>type</c> (every event of these APIs has one), or null when it could not be read.</param>
/// <param name="Json">The message parsed, or null when it was not parsed (not JSON, cut, or a message whose type says all a call needs: text and audio deltas, audio going in).</param>
/// <param name="EndNs">When its last frame was read or written (epoch ns).</param>
/// <param name="Truncated">The message was cut (at <c>max_body_bytes</c> or by lost bytes).</param>
internal readonly record struct SocketMessage(AgentEvent Event, bool FromClient, string? Type, JsonObject? Json, long? EndNs, bool Truncated);
