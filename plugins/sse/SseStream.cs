using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.Buffers;
using AgentSight.Plugins.Sse.Accumulators;

namespace AgentSight.Plugins.Sse;

/// <summary>
/// One streamed response body being rebuilt: its parser, the provider's accumulator, the events kept for output,
/// and when things happened. Holds at most <see cref="SseAnalyzerConfig.MaxStreamBytes"/>.
/// </summary>
internal sealed class SseStream : IEventSink
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
        MaxDepth = 256,
    };

    private readonly SseAnalyzerConfig _config;
    private readonly SseCounters _counters;
    private readonly StreamParser _parser;
    private readonly ByteBuffer _kept = new();
    private readonly List<KeptEvent> _events = [];
    private readonly bool _providerFromPath;
    private StreamAccumulator _accumulator;
    private long _now;
    private int _recognizeTries;

    public SseStream(string exchangeId, string? connId, string? host, string? path, string? contentType, string framing,
        SseAnalyzerConfig config, SseCounters counters)
    {
        ExchangeId = exchangeId;
        _config = config;
        _counters = counters;
        ConnId = connId;
        Host = host;
        Path = path;
        ContentType = contentType;
        Framing = framing;
        _parser = framing == "ndjson" ? new NdjsonParser(config.MaxLineBytes) : new SseParser(config.MaxLineBytes);
        var provider = Providers.FromPath(Path);
        _providerFromPath = provider is not null;
        _accumulator = AccumulatorFactory.For(provider);
    }

    public string ExchangeId { get; }

    public string? ConnId { get; }

    public string? Host { get; }

    public string? Path { get; }

    public string? ContentType { get; }

    /// <summary><c>sse</c> or <c>ndjson</c>.</summary>
    public string Framing { get; }

    /// <summary>Body bytes read.</summary>
    public long Bytes { get; private set; }

    public int EventCount { get; private set; }

    public long FirstEventNs { get; private set; }

    public long FirstContentNs { get; private set; }

    public long LastEventNs { get; private set; }

    /// <summary>The provider's end marker was seen.</summary>
    public bool Ended { get; private set; }

    /// <summary>Pieces went missing (an offset jumped): the stream is not whole.</summary>
    public bool Gap { get; private set; }

    /// <summary>Something was cut: events not kept, content or a line cut at a cap.</summary>
    public bool Truncated { get; private set; }

    public int EventsDropped { get; private set; }

    /// <summary>Pipeline time of the last piece.</summary>
    public long LastActivity { get; private set; }

    /// <summary>The last piece's event, whose process and thread label what this stream emits on its own.</summary>
    public AgentEvent? LastPiece { get; private set; }

    public LinkedListNode<SseStream>? Lru { get; set; }

    /// <summary>Bytes this stream holds now (approximately: text counts two bytes a character).</summary>
    public long HeldBytes => _kept.Capacity + _parser.BufferedBytes + (_accumulator.ContentChars * 2) + (_events.Count * 48L);

    public string Provider => _accumulator.Provider;

    /// <summary>True when the provider's format ends with a marker, so a body that ends without one was cut.</summary>
    public bool HasEndMarker() => _accumulator.HasEndMarker;

    public void Feed(ReadOnlySpan<byte> bytes, long offset, AgentEvent piece)
    {
        _now = piece.Timestamp;
        LastActivity = piece.Timestamp;
        LastPiece = piece;
        if (offset != Bytes && offset >= 0)
        {
            // A piece is missing (or repeated): what the parser holds can no longer be trusted.
            _counters.Gaps.Add();
            Gap = true;
            _parser.Discontinuity();
            Bytes = Math.Max(Bytes, offset);
        }
        Bytes += bytes.Length;
        var cutBefore = _parser.LinesCut;
        _parser.Feed(bytes, this);
        if (_parser.LinesCut != cutBefore)
        {
            _counters.LinesCut.Add(_parser.LinesCut - cutBefore);
            Truncated = true;
        }
    }

    /// <summary>The body ended (or was cut): an unterminated last event is kept, flagged.</summary>
    public void Finish()
    {
        _parser.Finish(this);
    }

    /// <summary>The <c>sse</c> event's fields.</summary>
    /// <remarks>
    /// Made from a list of its properties rather than with an initializer: the object's dictionary is then sized once
    /// instead of grown four times. Same properties, order and values.
    /// </remarks>
    public JsonObject ToJson(string endReason, bool complete)
    {
        var properties = new List<KeyValuePair<string, JsonNode?>>(21)
        {
            new("exchange_id", ExchangeId),
            new("conn_id", ConnId),
            new("provider", Provider),
            new("framing", Framing),
            new("content_type", ContentType),
            new("host", Host),
            new("path", Path),
            new("complete", complete),
            new("end_reason", endReason),
            new("event_count", (long)EventCount),
            new("bytes", Bytes),
            new("first_event_ns", FirstEventNs == 0 ? null : FirstEventNs),
            new("first_content_ns", FirstContentNs == 0 ? null : FirstContentNs),
            new("last_event_ns", LastEventNs == 0 ? null : LastEventNs),
            new("truncated", Truncated),
            new("events_dropped", (long)EventsDropped),
        };
        if (_config.IncludeEvents)
        {
            properties.Add(new("events", Events()));
        }
        properties.Add(new("message", _accumulator.Message()));
        properties.Add(new("text", _accumulator.Text()));
        return new JsonObject(properties);
    }

    public void Release()
    {
        _parser.Release();
        _kept.Release();
        _events.Clear();
    }

    void IEventSink.OnComment() => _counters.Comments.Add();

    void IEventSink.OnEvent(string? eventType, ReadOnlyMemory<byte> data, string? id, bool cut)
    {
        EventCount++;
        _counters.Events.Add();
        if (FirstEventNs == 0)
        {
            FirstEventNs = _now;
        }
        LastEventNs = _now;
        if (cut)
        {
            Truncated = true;
        }

        JsonDocument? document = null;
        var span = data.Span.TrimStart(" \t\r\n"u8);
        // Invalid UTF-8 would parse as JSON and fail only when a string is read: such data is kept as bytes.
        if (!span.IsEmpty && span[0] is (byte)'{' or (byte)'[' && !span.SequenceEqual("[DONE]"u8) && System.Text.Unicode.Utf8.IsValid(span))
        {
            if (!Ended && TryFastPath(data.Span, out var delta))
            {
                // Most of a stream: read without a document, with the same effect as the general path below.
                if ((delta & EventEffect.Content) != 0 && FirstContentNs == 0)
                {
                    FirstContentNs = _now;
                }
                Keep(eventType, data.Span, id, isJson: true);
                return;
            }
            try
            {
                document = JsonDocument.Parse(data);
            }
            catch (JsonException)
            {
                _counters.InvalidJson.Add();
            }
        }
        try
        {
            JsonElement? json = document?.RootElement;
            if (!_providerFromPath && _accumulator is PlainAccumulator && _recognizeTries++ < 8
                && AccumulatorFactory.Recognize(eventType, json) is { } recognized)
            {
                _accumulator = AccumulatorFactory.For(recognized);
            }
            if (Ended)
            {
                _counters.EventsAfterEnd.Add();
            }
            else
            {
                EventEffect effect;
                try
                {
                    effect = _accumulator.OnEvent(eventType, json, data.Span);
                }
                catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
                {
                    // A value of an unexpected kind deep in a provider's event: the event is skipped, the stream goes on.
                    _counters.InvalidJson.Add();
                    effect = EventEffect.None;
                }
                if ((effect & EventEffect.Content) != 0 && FirstContentNs == 0)
                {
                    FirstContentNs = _now;
                }
                if ((effect & EventEffect.End) != 0)
                {
                    Ended = true;
                }
            }
        }
        finally
        {
            document?.Dispose();
        }
        Keep(eventType, data.Span, id, document is not null);
    }

    /// <summary>
    /// The accumulator's reading of the most frequent event of its format without a JSON document, when it has one
    /// and the event has the exact shape it reads; false (nothing changed) otherwise.
    /// </summary>
    private bool TryFastPath(ReadOnlySpan<byte> data, out EventEffect effect)
    {
        switch (_accumulator)
        {
            case AnthropicAccumulator anthropic:
                return anthropic.TryDelta(data, out effect);
            case OpenAiResponsesAccumulator responses:
                return responses.TryTextDelta(data, out effect);
            case OpenAiChatAccumulator chat:
                return chat.TryChunk(data, out effect);
            default:
                effect = EventEffect.None;
                return false;
        }
    }

    private void Keep(string? eventType, ReadOnlySpan<byte> data, string? id, bool isJson)
    {
        var content = _accumulator.ContentChars * 2;
        if (content > _config.MaxStreamBytes)
        {
            // The answer itself outgrew the cap: it is cut, and nothing else is kept.
            if (!_accumulator.Frozen)
            {
                _accumulator.Frozen = true;
                _counters.ContentTruncated.Add();
            }
            DropKept();
        }
        else if (content + _kept.Length + data.Length > _config.MaxStreamBytes && _events.Count > 0)
        {
            // The answer is worth more than its raw events: make room for it.
            DropKept();
        }
        if (!_config.IncludeEvents)
        {
            return;
        }
        if (_events.Count >= _config.MaxEvents || content + _kept.Length + data.Length > _config.MaxStreamBytes)
        {
            EventsDropped++;
            _counters.EventsDropped.Add();
            Truncated = true;
            return;
        }
        var start = _kept.Length;
        _kept.Append(data);
        _events.Add(new KeptEvent(eventType, id, start, data.Length, _now, isJson));
    }

    private void DropKept()
    {
        if (_events.Count == 0)
        {
            return;
        }
        EventsDropped += _events.Count;
        _counters.EventsDropped.Add(_events.Count);
        Truncated = true;
        _events.Clear();
        _kept.Release();
    }

    /// <summary>
    /// The kept events as one JSON array, written into one buffer and parsed once: re-parsing each event's data on
    /// its own cost more than everything else the stream did.
    /// </summary>
    private JsonArray Events()
    {
        if (_events.Count == 0)
        {
            return [];
        }
        var kept = _kept.Span;
        var buffer = new ArrayBufferWriter<byte>(kept.Length + (_events.Count * 64) + 16);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            foreach (var e in _events)
            {
                var bytes = kept.Slice(e.Start, e.Length);
                writer.WriteStartObject();
                if (Framing == "sse")
                {
                    writer.WriteString("event"u8, e.Type ?? "message");
                }
                else
                {
                    writer.WriteNull("event"u8);
                }
                if (e.Id is null)
                {
                    writer.WriteNull("id"u8);
                }
                else
                {
                    writer.WriteString("id"u8, e.Id);
                }
                writer.WritePropertyName("data"u8);
                if (e.IsJson)
                {
                    // Parsed successfully when it arrived, so it is valid JSON.
                    writer.WriteRawValue(bytes, skipInputValidation: true);
                }
                else if (TlsPayload.IsText(bytes))
                {
                    writer.WriteStringValue(bytes);
                }
                else
                {
                    writer.WriteStringValue(TlsPayload.FormatData(bytes));
                }
                writer.WriteNumber("t_ns"u8, e.TimeNs);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return JsonNode.Parse(buffer.WrittenSpan, documentOptions: new JsonDocumentOptions { MaxDepth = 256 }) as JsonArray ?? [];
    }

    private static string? Text(JsonObject fields, string name) =>
        fields[name] is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private readonly record struct KeptEvent(string? Type, string? Id, int Start, int Length, long TimeNs, bool IsJson);
}
