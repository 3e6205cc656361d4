using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Sse.Accumulators;

/// <summary>What one event meant for the stream.</summary>
[Flags]
internal enum EventEffect
{
    None = 0,

    /// <summary>It carried content: text, thinking or tool input.</summary>
    Content = 1,

    /// <summary>It is the provider's end of stream (message_stop, [DONE], response.completed, done:true, an error).</summary>
    End = 2,
}

/// <summary>
/// Accumulates one provider's stream into a message: <c>id</c>, <c>model</c>, <c>content</c> blocks,
/// <c>stop_reason</c>, <c>usage</c> as the provider reports it, <c>error</c>.
/// </summary>
internal abstract class StreamAccumulator
{
    private readonly List<Choice> _choices = [];

    /// <summary>The <c>provider</c> value.</summary>
    public abstract string Provider { get; }

    /// <summary>True when the format has an end marker, so a stream without it is not complete.</summary>
    public virtual bool HasEndMarker => true;

    public string? Id { get; protected set; }

    public string? Model { get; protected set; }

    /// <summary>Usage as the provider reports it (cumulative counts merged).</summary>
    public JsonObject? Usage { get; protected set; }

    public JsonNode? Error { get; protected set; }

    /// <summary>Characters of text and tool input accumulated, for the memory cap.</summary>
    public long ContentChars { get; protected set; }

    /// <summary>Set when the content outgrew the stream's cap: nothing more is added.</summary>
    public bool Frozen { get; set; }

    /// <summary>Handles one event; <paramref name="json"/> is its data when that parsed as JSON.</summary>
    public abstract EventEffect OnEvent(string? eventType, JsonElement? json, ReadOnlySpan<byte> data);

    /// <summary>The accumulated message.</summary>
    /// <remarks>Made from a list of its properties, so the object's dictionary is sized once (see <c>SseStream.ToJson</c>).</remarks>
    public JsonObject Message()
    {
        var first = ChoiceAt(0);
        var properties = new List<KeyValuePair<string, JsonNode?>>(10)
        {
            new("id", Id),
            new("model", Model),
            new("role", "assistant"),
            new("content", Blocks(first)),
            new("stop_reason", first.StopReason),
        };
        AddExtra(properties);
        properties.Add(new("usage", Usage?.DeepClone()));
        properties.Add(new("error", Error?.DeepClone()));
        if (_choices.Count > 1)
        {
            var choices = new JsonArray();
            for (var i = 1; i < _choices.Count; i++)
            {
                choices.Add(new JsonObject { ["index"] = _choices[i].Index, ["content"] = Blocks(_choices[i]), ["stop_reason"] = _choices[i].StopReason });
            }
            properties.Add(new("choices", choices));
        }
        return new JsonObject(properties);
    }

    /// <summary>All text blocks of the first choice, joined.</summary>
    public string Text()
    {
        var choice = ChoiceAt(0);
        if (choice.Blocks.Count == 1)
        {
            return choice.Blocks[0].Type == "text" ? choice.Blocks[0].Text : "";
        }
        var text = new System.Text.StringBuilder();
        foreach (var block in choice.Blocks)
        {
            if (block.Type == "text")
            {
                text.Append(block.Text);
            }
        }
        return text.ToString();
    }

    /// <summary>Provider-specific fields of the message (stop sequence, status), after <c>stop_reason</c>.</summary>
    protected virtual void AddExtra(List<KeyValuePair<string, JsonNode?>> message)
    {
    }

    /// <summary>The choice (candidate) with this index, created on first use.</summary>
    protected Choice ChoiceAt(int index)
    {
        foreach (var choice in _choices)
        {
            if (choice.Index == index)
            {
                return choice;
            }
        }
        var created = new Choice(index);
        // Kept in index order so the first is the one reported as the message.
        var at = _choices.FindIndex(c => c.Index > index);
        if (at < 0)
        {
            _choices.Add(created);
        }
        else
        {
            _choices.Insert(at, created);
        }
        return created;
    }

    /// <summary>Appends text to a block, unless the content is frozen; returns true when something was added.</summary>
    protected bool AddText(ContentBlock block, string? text)
    {
        if (string.IsNullOrEmpty(text) || Frozen)
        {
            return false;
        }
        block.AppendText(text);
        ContentChars += text.Length;
        return true;
    }

    /// <summary>Appends tool input text to a block, unless frozen.</summary>
    protected bool AddInput(ContentBlock block, string? piece)
    {
        if (Frozen)
        {
            return false;
        }
        block.AppendInput(piece);
        ContentChars += piece?.Length ?? 0;
        return !string.IsNullOrEmpty(piece);
    }

    /// <summary>Merges cumulative usage counts: later values win, fields only in earlier events stay.</summary>
    protected void MergeUsage(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        Usage ??= [];
        foreach (var property in usage.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null && Usage.ContainsKey(property.Name))
            {
                continue;
            }
            Usage[property.Name] = JsonNodeOf(property.Value);
        }
    }

    /// <summary>Replaces the usage with this report (providers whose every report is complete).</summary>
    protected void SetUsage(JsonElement usage)
    {
        if (usage.ValueKind == JsonValueKind.Object)
        {
            Usage = JsonNodeOf(usage) as JsonObject;
        }
    }

    protected static JsonNode? JsonNodeOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => JsonObject.Create(element.Clone()),
        JsonValueKind.Array => JsonArray.Create(element.Clone()),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => JsonValue.Create(element.Clone()),
    };

    // Property names are UTF-8 literals: looking a name up as a string transcodes it on every call.
    protected static string? String(JsonElement element, ReadOnlySpan<byte> name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>
    /// The event's type as one of <paramref name="known"/> (the same string instance), so dispatching on it allocates
    /// nothing; an unknown type is read as a new string.
    /// </summary>
    protected static string? Type(JsonElement element, ReadOnlySpan<byte> name, KnownStrings known)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        var utf8 = known.Utf8;
        for (var i = 0; i < utf8.Length; i++)
        {
            if (value.ValueEquals(utf8[i]))
            {
                return known.Values[i];
            }
        }
        return value.GetString();
    }

    /// <summary>A property by a name known only as a string (the UTF-8 overload is the one for literals).</summary>
    protected static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }
        value = default;
        return false;
    }

    protected static bool TryGet(JsonElement element, ReadOnlySpan<byte> name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
        {
            return true;
        }
        value = default;
        return false;
    }

    protected static int Int(JsonElement element, ReadOnlySpan<byte> name, int fallback = 0) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt32(out var number)
            ? number
            : fallback;

    private static JsonArray Blocks(Choice choice)
    {
        var blocks = new JsonArray();
        foreach (var block in choice.Blocks)
        {
            blocks.Add(block.ToJson());
        }
        return blocks;
    }

    /// <summary>One choice (OpenAI) or candidate (Gemini); other providers have one.</summary>
    protected sealed class Choice(int index)
    {
        public int Index { get; } = index;

        public List<ContentBlock> Blocks { get; } = [];

        public string? StopReason { get; set; }

        /// <summary>The last block if it is of <paramref name="type"/>, else a new one.</summary>
        public ContentBlock Last(string type)
        {
            if (Blocks.Count > 0 && Blocks[^1].Type == type && !Blocks[^1].IsToolUse)
            {
                return Blocks[^1];
            }
            var block = new ContentBlock(type);
            Blocks.Add(block);
            return block;
        }

        /// <summary>The block with this key, or a new one of <paramref name="type"/>.</summary>
        public ContentBlock Keyed(string key, string type)
        {
            foreach (var block in Blocks)
            {
                if (block.Key == key)
                {
                    return block;
                }
            }
            var created = new ContentBlock(type) { Key = key };
            Blocks.Add(created);
            return created;
        }
    }
}
