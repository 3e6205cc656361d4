using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.JsonNodes;

namespace AgentSight.Plugins.Llm.WebSocket;

/// <summary>
/// A Realtime API session (OpenAI's <c>/v1/realtime</c>, Azure's <c>/openai/realtime</c>; the GA event names and the
/// beta ones): the session's model, instructions and tools (<c>session.update</c>, <c>session.created</c>,
/// <c>session.updated</c>), the conversation items added since the previous response (by the client's
/// <c>conversation.item.create</c>, or by the server for committed audio, with its transcription when it comes),
/// and one call per response, from the client's <c>response.create</c> (or the server's own
/// <c>response.created</c> when voice activity detection starts it) to <c>response.done</c>, which carries the
/// output and the usage. The request is rebuilt in the Responses API's shape so it maps like any OpenAI call.
/// </summary>
internal sealed class RealtimeSocket(SocketTarget target) : ModelSocket(target)
{
    /// <summary>Most conversation items kept waiting for the next response.</summary>
    private const int MaxInputItems = 256;

    private static readonly string[] SessionFields = ["model", "instructions", "tools", "temperature", "max_response_output_tokens", "max_output_tokens"];

    private readonly JsonObject _session = [];
    /// <summary>Items added since the previous response; those the client created and the server has not yet announced are marked.</summary>
    private readonly List<(JsonObject Item, bool FromClient)> _input = [];
    /// <summary>Items the client created that went into a response before the server announced them: their announcement is not new input.</summary>
    private readonly List<(string? Type, string? Role)> _announcementsDue = [];
    private readonly Dictionary<SocketCall, string> _askedBy = [];
    private bool _inputCut;

    public override void OnMessage(in SocketMessage message, List<SocketCall> ended)
    {
        var json = message.Json;
        switch (message.FromClient, message.Type)
        {
            case (true, "session.update"):
            case (false, "session.created" or "session.updated"):
                Merge(Json.Obj(json, "session"));
                return;
            case (true, "conversation.item.create"):
                AddInput(Json.Obj(json, "item"), fromClient: true);
                return;
            case (false, "conversation.item.created" or "conversation.item.added"):
                AddInput(Json.Obj(json, "item"), fromClient: false);
                return;
            case (false, "conversation.item.input_audio_transcription.completed"):
                Transcribed(Json.Str(json, "item_id"), Json.Long(json, "content_index") ?? 0, Json.Str(json, "transcript"));
                return;
            case (true, "response.create"):
                var call = new SocketCall(message.Event, Request(Json.Obj(json, "response")), message.EndNs) { Truncated = message.Truncated || json is null };
                if (Json.Str(json, "event_id") is { } eventId)
                {
                    _askedBy[call] = eventId;
                }
                Open(call, ended);
                return;
            case (false, "error"):
                // An error names the client event it answers; only a refused response.create ends a call.
                var about = Json.Str(Json.Obj(json, "error"), "event_id");
                if (about is not null && _askedBy.FirstOrDefault(p => p.Value == about).Key is { } refused)
                {
                    refused.Error = Json.Copy(json?["error"]);
                    refused.Saw(message.EndNs, content: false);
                    Forget(refused);
                    End(refused, ended, complete: true);
                }
                return;
            case (false, { } type) when type.StartsWith("response.", StringComparison.Ordinal):
                OnResponseEvent(message, type, ended);
                return;
        }
    }

    private void OnResponseEvent(in SocketMessage message, string type, List<SocketCall> ended)
    {
        var call = Answering();
        if (type == "response.created" || call is null)
        {
            call = Unstarted();
            if (call is null)
            {
                if (type != "response.created")
                {
                    return;
                }
                // Begun by the server (voice activity detection): asked by what the session holds now.
                call = new SocketCall(message.Event, Request(null), message.EndNs);
                Open(call, ended);
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
            case "response.done":
                call.Response = AsResponse(Json.Obj(message.Json, "response"));
                Forget(call);
                End(call, ended, complete: true);
                break;
        }
    }

    /// <summary>The request of a response in the Responses API's shape: the session's settings, the response's own, and its input.</summary>
    private JsonObject Request(JsonObject? response)
    {
        var request = new JsonObject { ["model"] = Json.Str(_session, "model") ?? Target.Model };
        foreach (var name in SessionFields)
        {
            if ((response?[name] ?? _session[name]) is { } value)
            {
                request[name == "max_response_output_tokens" ? "max_output_tokens" : name] = value.DeepClone();
            }
        }
        var input = new JsonArray();
        if (Json.Arr(response, "input") is { } own)
        {
            // An out-of-band response names its own input and leaves the conversation's alone.
            foreach (var item in own.OfType<JsonObject>())
            {
                input.Add(AsInputItem(item));
            }
        }
        else
        {
            foreach (var (item, fromClient) in _input)
            {
                input.Add(AsInputItem(item));
                if (fromClient && _announcementsDue.Count < MaxInputItems)
                {
                    _announcementsDue.Add((Json.Str(item, "type"), Json.Str(item, "role")));
                }
            }
            _input.Clear();
        }
        request["input"] = input;
        if (_inputCut)
        {
            request["input_truncated"] = true;
            _inputCut = false;
        }
        return request;
    }

    private void Merge(JsonObject? session)
    {
        foreach (var name in SessionFields)
        {
            if (session?[name] is { } value)
            {
                _session[name] = value.DeepClone();
            }
        }
    }

    private void AddInput(JsonObject? item, bool fromClient)
    {
        // The model's own items come back with its responses; only what goes into the next response is kept.
        if (item is null || Json.Str(item, "role") == "assistant" || Json.Str(item, "type") == "function_call")
        {
            return;
        }
        var id = Json.Str(item, "id");
        if (id is not null && _input.Exists(i => Json.Str(i.Item, "id") == id))
        {
            return;
        }
        var copy = (JsonObject)item.DeepClone();
        if (!fromClient)
        {
            // The server announces the items the client created too (with their ids): the announcement replaces them.
            var echo = _input.FindIndex(i => i.FromClient && Json.Str(i.Item, "type") == Json.Str(item, "type") && Json.Str(i.Item, "role") == Json.Str(item, "role"));
            if (echo >= 0)
            {
                _input[echo] = (copy, false);
                return;
            }
            var due = _announcementsDue.FindIndex(d => d.Type == Json.Str(item, "type") && d.Role == Json.Str(item, "role"));
            if (due >= 0)
            {
                _announcementsDue.RemoveAt(due);
                return;
            }
        }
        if (_input.Count >= MaxInputItems)
        {
            _input.RemoveAt(0);
            _inputCut = true;
        }
        _input.Add((copy, fromClient));
    }

    private void Transcribed(string? itemId, long contentIndex, string? transcript)
    {
        if (itemId is null || transcript is null || _input.Find(i => Json.Str(i.Item, "id") == itemId).Item is not { } item
            || Json.Arr(item, "content") is not { } content || contentIndex < 0 || contentIndex >= content.Count || content[(int)contentIndex] is not JsonObject part)
        {
            return;
        }
        part["transcript"] = transcript;
    }

    private void Forget(SocketCall call) => _askedBy.Remove(call);

    /// <summary>An input item with audio replaced by its transcript (the audio's bytes are never copied into the call).</summary>
    private static JsonObject AsInputItem(JsonObject item)
    {
        var copy = new JsonObject();
        foreach (var (name, value) in item)
        {
            copy[name] = name == "content" && value is JsonArray parts ? new JsonArray([.. parts.Select(p => AsTextPart(p, "input_text"))]) : value?.DeepClone();
        }
        return copy;
    }

    /// <summary><c>response.done</c>'s response in the Responses API's shape: text and transcripts as <c>output_text</c>, usage details renamed, the failure as <c>error</c>.</summary>
    private static JsonObject? AsResponse(JsonObject? response)
    {
        if (response is null)
        {
            return null;
        }
        var output = new JsonArray();
        foreach (var item in Json.Arr(response, "output")?.OfType<JsonObject>() ?? [])
        {
            var copy = (JsonObject)item.DeepClone();
            if (Json.Arr(item, "content") is { } parts)
            {
                copy["content"] = new JsonArray([.. parts.Select(p => AsTextPart(p, "output_text"))]);
            }
            output.Add(copy);
        }
        var usage = Json.Obj(response, "usage");
        var status = Json.Str(response, "status");
        var details = Json.Obj(response, "status_details");
        return new JsonObject
        {
            ["id"] = Json.Str(response, "id"),
            ["object"] = "response",
            ["status"] = status,
            ["output"] = output,
            ["incomplete_details"] = status == "incomplete" ? new JsonObject { ["reason"] = Json.Str(details, "reason") } : null,
            ["error"] = status == "failed" ? Json.Copy(details?["error"]) ?? new JsonObject { ["type"] = Json.Str(details, "reason") ?? "failed" } : null,
            ["usage"] = usage is null ? null : new JsonObject
            {
                ["input_tokens"] = Json.Long(usage, "input_tokens"),
                ["output_tokens"] = Json.Long(usage, "output_tokens"),
                ["total_tokens"] = Json.Long(usage, "total_tokens"),
                ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = Json.Long(Json.Obj(usage, "input_token_details"), "cached_tokens") },
            },
        };
    }

    /// <summary>A content part with text: a transcript for audio, the text as <paramref name="textType"/> otherwise.</summary>
    private static JsonNode? AsTextPart(JsonNode? part, string textType)
    {
        switch (Json.Str(part, "type"))
        {
            case "input_text" or "output_text" or "text":
                return new JsonObject { ["type"] = textType, ["text"] = Json.Str(part, "text") ?? "" };
            case "input_audio" or "output_audio" or "audio":
                return Json.Str(part, "transcript") is { } transcript
                    ? new JsonObject { ["type"] = textType, ["text"] = transcript }
                    : new JsonObject { ["type"] = "audio", ["transcript"] = null };
            default:
                return Json.Copy(part);
        }
    }
}
