using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Sse.Accumulators;

/// <summary>One block of an answer being accumulated: text, thinking, a tool call, or a block kept as sent.</summary>
internal sealed class ContentBlock(string type)
{
    private StringBuilder? _text;
    private StringBuilder? _input;

    /// <summary><c>text</c>, <c>thinking</c>, <c>redacted_thinking</c>, <c>tool_use</c> (or a server tool's type), <c>refusal</c>, or another type kept raw.</summary>
    public string Type { get; set; } = type;

    /// <summary>Tool call id.</summary>
    public string? Id { get; set; }

    /// <summary>Tool name.</summary>
    public string? Name { get; set; }

    /// <summary>Thinking signature.</summary>
    public string? Signature { get; set; }

    /// <summary>Tool input given whole (Gemini, a block's start), used when no pieces were gathered.</summary>
    public JsonNode? InputValue { get; set; }

    /// <summary>Citations added by deltas.</summary>
    public JsonArray? Citations { get; set; }

    /// <summary>A block of a type not accumulated here, as it came.</summary>
    public JsonNode? Raw { get; set; }

    /// <summary>Opaque data of a redacted thinking block.</summary>
    public string? Data { get; set; }

    /// <summary>Provider-side key (an item id, a tool call index) to find the block again.</summary>
    public string? Key { get; set; }

    public bool IsToolUse => _input is not null || InputValue is not null || Type is "tool_use" or "server_tool_use";

    public string Text => _text?.ToString() ?? "";

    public int TextLength => _text?.Length ?? 0;

    public void AppendText(string? piece)
    {
        if (!string.IsNullOrEmpty(piece))
        {
            (_text ??= new StringBuilder()).Append(piece);
        }
    }

    /// <summary>Replaces the text (a final event that carries the whole of it).</summary>
    public void SetText(string? text)
    {
        _text?.Clear();
        AppendText(text);
    }

    public void AppendInput(string? piece)
    {
        _input ??= new StringBuilder();
        if (!string.IsNullOrEmpty(piece))
        {
            _input.Append(piece);
        }
    }

    /// <summary>Replaces the gathered input text (a final event that carries all of it).</summary>
    public void SetInput(string? json)
    {
        (_input ??= new StringBuilder()).Clear().Append(json);
        InputValue = null;
    }

    public int InputLength => _input?.Length ?? 0;

    public JsonObject ToJson()
    {
        switch (Type)
        {
            case "text":
            {
                var block = new JsonObject { ["type"] = "text", ["text"] = Text };
                if (Citations is not null)
                {
                    block["citations"] = Citations;
                }
                return block;
            }
            case "thinking":
            {
                var block = new JsonObject { ["type"] = "thinking", ["thinking"] = Text };
                if (Signature is not null)
                {
                    block["signature"] = Signature;
                }
                return block;
            }
            case "redacted_thinking":
                return new JsonObject { ["type"] = "redacted_thinking", ["data"] = Data };
            case "refusal":
                return new JsonObject { ["type"] = "refusal", ["refusal"] = Text };
        }
        if (IsToolUse)
        {
            return new JsonObject { ["type"] = Type, ["id"] = Id, ["name"] = Name, ["input"] = Input() };
        }
        return Raw?.DeepClone() as JsonObject ?? new JsonObject { ["type"] = Type };
    }

    /// <summary>The tool input: parsed when the gathered text is JSON (an empty text is <c>{}</c>), else the text.</summary>
    private JsonNode? Input()
    {
        var text = _input?.ToString() ?? "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return InputValue?.DeepClone() ?? new JsonObject();
        }
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            // Cut short or invalid (models do emit invalid arguments): keep what came, as text.
            return text;
        }
    }
}
