using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.JsonNodes;

namespace AgentSight.Plugins.Llm.WebSocket;

/// <summary>
/// The Responses API over WebSocket (Codex's <c>responses_websocket</c> transport, OpenAI's
/// <c>wss://api.openai.com/v1/responses</c>): each client <c>response.create</c> carries a Responses request (its
/// fields beside <c>type</c>, or under <c>response</c> in older clients) and is answered by the same events a streamed
/// HTTP call gets, from <c>response.created</c> to <c>response.completed</c>, <c>response.failed</c> or
/// <c>response.incomplete</c>; an <c>error</c> event ends the call it answers.
/// </summary>
internal sealed class ResponsesSocket(SocketTarget target) : ModelSocket(target)
{
    public override void OnMessage(in SocketMessage message, List<SocketCall> ended)
    {
        if (message.FromClient)
        {
            if (message.Type == "response.create")
            {
                var body = message.Json is { } json && !json.ContainsKey("input") && !json.ContainsKey("model") && Json.Obj(json, "response") is { } nested
                    ? nested
                    : message.Json;
                Open(new SocketCall(message.Event, body, message.EndNs) { Truncated = message.Truncated || body is null }, ended);
            }
            return;
        }
        var type = message.Type;
        if (type is null)
        {
            // A server message that could not be read belongs to the call being answered, which loses it.
            if ((Answering() ?? Oldest()) is { } cut)
            {
                cut.Truncated = true;
            }
            return;
        }
        if (type == "error")
        {
            if ((Answering() ?? Oldest()) is { } failed)
            {
                failed.Error = Json.Copy(message.Json?["error"]) ?? Json.Copy(message.Json);
                failed.Saw(message.EndNs, content: false);
                End(failed, ended, complete: true);
            }
            return;
        }
        if (!type.StartsWith("response.", StringComparison.Ordinal))
        {
            return;
        }
        var call = Answering();
        if (type == "response.created" || call is null)
        {
            call = Unstarted() ?? call;
            if (call is null)
            {
                return;
            }
            call.Started = true;
        }
        call.Truncated |= message.Truncated;
        call.ResponseId ??= Json.Str(Json.Obj(message.Json, "response"), "id");
        call.Saw(message.EndNs, IsContent(type));
        switch (type)
        {
            case "response.output_item.done" when Json.Obj(message.Json, "item") is { } item:
                call.AddItem(Json.Long(message.Json, "output_index") ?? call.Items.Count, item);
                break;
            case "response.completed" or "response.failed" or "response.incomplete" or "response.cancelled":
                call.Response = Json.Obj(message.Json, "response");
                End(call, ended, complete: true);
                break;
        }
    }
}
