using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Redact.Json;
using AgentSight.Plugins.Redact.Rules;
using AgentSight.Plugins.Redact.Scanning;
using AgentSight.Plugins.Redact.Streams;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.Redact;

/// <summary>
/// Replaces secrets in every event: raw TLS bytes and streamed bodies through <see cref="StreamRedactor"/> (which
/// holds each piece until the next one, so secrets cut by a read boundary are caught), every other payload through
/// <see cref="JsonRedactor"/>.
/// </summary>
public sealed class Redactor : IAnalyzer
{
    private const string BodySource = "http_body";

    /// <summary>How often streams with nothing held are looked at, to forget those idle for ten minutes.</summary>
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(10);

    private readonly StreamRedactor _streams;
    private readonly JsonRedactor _json;
    private readonly Counter _changed;
    private readonly TimeSpan _timer;

    /// <summary>Creates the redactor from a validated configuration.</summary>
    public Redactor(RedactConfig config, IStageContext context)
    {
        var (scanner, names) = RuleCatalog.Build(config);
        // Created on first use, so the run summary lists only the rules that found something.
        var ruleCounters = new Counter?[scanner.Rules.Count];
        void Found(int rule) => (ruleCounters[rule] ??= context.Counter(scanner.Rules[rule].Id)).Add();
        _changed = context.Counter("events_redacted");
        _json = new JsonRedactor(scanner, names, Found);
        var holdNs = config.HoldMs * 1_000_000L;
        _streams = new StreamRedactor(scanner, holdNs, config.MaxStreams, Found, context.Counter("streams_evicted"), _changed,
            context.Counter("stream_states_lost"));
        _timer = config.HoldMs > 0 ? TimeSpan.FromMilliseconds(Math.Max(10, config.HoldMs / 2)) : TimeSpan.Zero;
        if (!scanner.Rules.Any(r => r.Id != LostStateRule.Name))
        {
            context.Logger.LogWarning("Redaction is on but every rule is disabled: credentials will reach the sinks as captured");
        }
        else
        {
            context.Logger.LogDebug("Redacting with {RuleCount} rules: {Rules}", scanner.Rules.Count,
                string.Join(", ", scanner.Rules.Select(r => r.Id).Distinct()));
        }
    }

    /// <summary>
    /// Every half <c>hold_ms</c> while a piece is held; every <see cref="IdleCheck"/> while streams are known but nothing
    /// is held (to forget long-idle ones); never while there are none: an idle recording is not woken ten times a second
    /// for nothing (contracts 2.1 reads it after every call).
    /// </summary>
    public TimeSpan TimerInterval => _timer == TimeSpan.Zero ? TimeSpan.Zero
        : _streams.HeldCount > 0 ? _timer
        : _streams.StreamCount > 0 ? IdleCheck
        : TimeSpan.Zero;

    internal StreamRedactor Streams => _streams;

    /// <inheritdoc />
    public void Process(AgentEvent evt, IEventOutput output)
    {
        switch (evt.Data)
        {
            case TlsPayload tls:
                if (!tls.HasBytes || tls.Bytes.IsEmpty)
                {
                    output.Emit(evt);
                    return;
                }
                // The event's own time stands for "now": it is capture time live and the clock's source in a replay,
                // and reading it costs nothing, where the clock costs a system call per read.
                _streams.Add(StreamKey.ForTls(evt, tls), evt, tls.Bytes, evt.Timestamp, output);
                return;
            case StdioPayload stdio when !stdio.Bytes.IsEmpty:
                // A JSON-RPC stream carries tool arguments and results: the same secrets as an HTTP body.
                _streams.Add(StreamKey.ForStdio(evt, stdio), evt, stdio.Bytes, evt.Timestamp, output);
                return;
            case HttpBodyPayload body:
                // Body pieces of one exchange form one byte stream: a secret split across pieces is still found.
                _streams.Add(StreamKey.ForBody(body.ExchangeId), evt, body.Bytes, evt.Timestamp, output, IsEventStream(body.ContentType),
                    body.Offset == 0);
                return;
            case WebSocketMessagePayload message:
                // The messages of one socket form one stream, as a body's pieces do: a key streamed as deltas over
                // several messages is read joined. The exchange's llm events flush it, so messages keep their order.
                var socket = StreamKey.ForBody(message.ExchangeId);
                if (!message.HasText || message.Text.IsEmpty)
                {
                    _streams.Flush(socket, output);
                    output.Emit(evt);
                    return;
                }
                _streams.Add(socket, evt, message.Text, evt.Timestamp, output, content: true);
                return;
            case JsonPayload json:
                ProcessJson(evt, json.Fields, output);
                return;
            default:
                // A payload type this version does not know could carry anything: read it as JSON rather than pass it unread.
                var fields = AsJson(evt.Data);
                evt.Data = new JsonPayload(fields);
                ProcessJson(evt, fields, output);
                return;
        }
    }

    /// <inheritdoc />
    public void OnTimer(long now, IEventOutput output) => _streams.Expire(now, output);

    /// <inheritdoc />
    public void Flush(IEventOutput output) => _streams.FlushAll(output);

    private void ProcessJson(AgentEvent evt, JsonObject fields, IEventOutput output)
    {
        var exchange = fields["exchange_id"] is JsonValue id && id.TryGetValue(out string? text) ? text : null;
        if (evt.Source == BodySource && exchange is not null && fields["data"] is JsonValue data && data.TryGetValue(out string? body))
        {
            if (_json.Redact(fields, skip: "data"))
            {
                _changed.Add();
            }
            var contentType = fields["content_type"] is JsonValue type && type.TryGetValue(out string? typeText) ? typeText : null;
            bool? fresh = fields["offset"] is JsonValue offset && offset.TryGetValue(out long at) ? at == 0 : null;
            _streams.Add(StreamKey.ForBody(exchange), evt, TlsPayload.DecodeData(body), evt.Timestamp, output, IsEventStream(contentType), fresh);
            return;
        }
        if (exchange is not null)
        {
            // The exchange's body is complete once its other events come: its last piece goes first, in order.
            _streams.Flush(StreamKey.ForBody(exchange), output);
        }
        if (_json.Redact(fields))
        {
            _changed.Add();
        }
        output.Emit(evt);
    }

    /// <summary>True for the media types of streamed JSON events (SSE, NDJSON), whose values are also read joined across pieces.</summary>
    private static bool IsEventStream(string? contentType) =>
        contentType is not null && (contentType.Contains("event-stream", StringComparison.OrdinalIgnoreCase)
            || contentType.Contains("ndjson", StringComparison.OrdinalIgnoreCase) || contentType.Contains("jsonl", StringComparison.OrdinalIgnoreCase)
            || contentType.Contains("json", StringComparison.OrdinalIgnoreCase));

    private static JsonObject AsJson(EventPayload payload)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            payload.WriteTo(writer);
        }
        var node = JsonNode.Parse(buffer.WrittenSpan);
        return node as JsonObject ?? new JsonObject { ["value"] = node };
    }
}
