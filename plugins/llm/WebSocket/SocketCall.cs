using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Llm.WebSocket;

/// <summary>
/// One call to a model made over a WebSocket: the message that asked for a response and everything the server sent
/// for it until the response ended, as far as it was seen.
/// </summary>
internal sealed class SocketCall(AgentEvent asked, JsonObject? body, long? askedNs)
{
    /// <summary>Most output items kept per call; past it items are dropped and the call is <see cref="Truncated"/>.</summary>
    public const int MaxItems = 1024;

    /// <summary>The <c>websocket</c> event that asked (the client's <c>response.create</c>), or the server's first event when the server began the response itself (Realtime's voice activity detection).</summary>
    public AgentEvent Asked { get; } = asked;

    /// <summary>The request in the Responses API's shape (<c>model</c>, <c>instructions</c>, <c>input</c>, <c>tools</c>…), or null when it could not be read.</summary>
    public JsonObject? Body { get; } = body;

    /// <summary>When the request's last frame was sent (epoch ns): time zero of the call, as for HTTP.</summary>
    public long? AskedNs { get; } = askedNs;

    /// <summary>True once the server said it began this response (<c>response.created</c>).</summary>
    public bool Started { get; set; }

    public string? ResponseId { get; set; }

    public long? FirstEventNs { get; set; }

    public long? FirstContentNs { get; set; }

    public long? EndNs { get; set; }

    /// <summary>Output items the server finished, by output index (used when the final response omits them).</summary>
    public SortedDictionary<long, JsonObject> Items { get; } = [];

    /// <summary>The response object of the event that ended the call, in the Responses API's shape.</summary>
    public JsonObject? Response { get; set; }

    /// <summary>An error the server sent for this call outside a response object (an <c>error</c> event).</summary>
    public JsonNode? Error { get; set; }

    /// <summary>A message of this call was cut (at <c>max_body_bytes</c> or by lost bytes), or items were dropped.</summary>
    public bool Truncated { get; set; }

    /// <summary>True when the call ended as the protocol ends it (not cut by a close, a lost connection or the end of the session).</summary>
    public bool Complete { get; set; }

    /// <summary>Notes the time of a server event that belongs to this call.</summary>
    public void Saw(long? ns, bool content)
    {
        FirstEventNs ??= ns;
        if (content)
        {
            FirstContentNs ??= ns;
        }
        EndNs = ns ?? EndNs;
    }

    public void AddItem(long index, JsonObject item)
    {
        if (Items.Count >= MaxItems && !Items.ContainsKey(index))
        {
            Truncated = true;
            return;
        }
        Items[index] = item;
    }
}
