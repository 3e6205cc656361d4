using System.Text.Json;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Common.Model;

/// <summary>One <c>llm</c> event (a call to a model), read: the figures views and reports show.</summary>
/// <remarks>Field names follow the OpenTelemetry GenAI conventions the <c>llm</c> analyzer writes (docs/EVENTS.md).</remarks>
public sealed class LlmCall
{
    public int Id { get; set; }

    /// <summary>The sequence number of the <c>llm</c> event in the session.</summary>
    public long EventSeq { get; set; }

    public required long Timestamp { get; init; }

    public required int Pid { get; init; }

    public required string Comm { get; init; }

    public string? ExchangeId { get; init; }

    /// <summary><c>websocket</c> for a call made over a WebSocket (several calls share the upgrade's exchange id), else null (HTTP).</summary>
    public string? Transport { get; init; }

    public string? ResponseId { get; init; }

    /// <summary>What tells this call from the others: its exchange for HTTP, its exchange and response for a WebSocket.</summary>
    public string? Key => ExchangeId is null ? null : Transport == "websocket" ? $"{ExchangeId}#{ResponseId ?? Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : ExchangeId;

    public string? Provider { get; init; }

    public string? Operation { get; init; }

    public string? RequestModel { get; init; }

    public string? ResponseModel { get; init; }

    /// <summary>The model to group by: the one the provider reported, else the one asked for.</summary>
    public string Model => ResponseModel ?? RequestModel ?? "(unknown)";

    public long? InputTokens { get; init; }

    public long? OutputTokens { get; init; }

    public long? CacheReadTokens { get; init; }

    public long? CacheCreationTokens { get; init; }

    public long? ReasoningTokens { get; init; }

    /// <summary>From the end of the request to the end of the response.</summary>
    public double? DurationMs { get; init; }

    public double? TimeToFirstTokenMs { get; init; }

    public double? TimeToFirstChunkMs { get; init; }

    public int? StatusCode { get; init; }

    public string? ErrorType { get; init; }

    public bool? Streaming { get; init; }

    public bool? Complete { get; init; }

    public bool? Truncated { get; init; }

    public string? ServerAddress { get; init; }

    public string? UrlPath { get; init; }

    public IReadOnlyList<string>? FinishReasons { get; init; }

    /// <summary>The call's price in USD from the cost stage (<c>cost.usd</c>); null when unknown or not priced.</summary>
    public double? CostUsd { get; init; }

    /// <summary>The date of the price table that priced it (<c>cost.price_table</c>).</summary>
    public string? PriceTable { get; init; }

    /// <summary>When the request started (epoch ns): from its <c>http</c> exchange when known, else estimated.</summary>
    public long StartNs { get; set; }

    /// <summary>When the response ended (epoch ns).</summary>
    public long EndNs { get; set; }

    /// <summary>See <see cref="ErrorRule.IsError(LlmCall)"/>.</summary>
    public bool IsError => ErrorRule.IsError(this);

    /// <summary>Reads an <c>llm</c> event.</summary>
    public static LlmCall Read(ReadOnlyEvent evt)
    {
        var f = evt.Fields;
        var call = new LlmCall
        {
            Timestamp = evt.Timestamp,
            Pid = evt.Pid,
            Comm = evt.Comm,
            ExchangeId = JsonRead.Str(f, "exchange_id"),
            Transport = JsonRead.Str(f, "transport"),
            ResponseId = JsonRead.Str(f, "gen_ai.response.id"),
            Provider = JsonRead.Str(f, "gen_ai.provider.name") ?? JsonRead.Str(f, "gen_ai.system"),
            Operation = JsonRead.Str(f, "gen_ai.operation.name"),
            RequestModel = JsonRead.Str(f, "gen_ai.request.model"),
            ResponseModel = JsonRead.Str(f, "gen_ai.response.model"),
            InputTokens = JsonRead.Long(f, "gen_ai.usage.input_tokens"),
            OutputTokens = JsonRead.Long(f, "gen_ai.usage.output_tokens"),
            CacheReadTokens = JsonRead.Long(f, "gen_ai.usage.cache_read.input_tokens"),
            CacheCreationTokens = JsonRead.Long(f, "gen_ai.usage.cache_creation.input_tokens"),
            ReasoningTokens = JsonRead.Long(f, "gen_ai.usage.reasoning.output_tokens"),
            DurationMs = JsonRead.Double(f, "duration_ms"),
            TimeToFirstTokenMs = JsonRead.Double(f, "time_to_first_token_ms"),
            TimeToFirstChunkMs = JsonRead.Double(f, "time_to_first_chunk_ms"),
            StatusCode = (int?)JsonRead.Long(f, "http.response.status_code"),
            ErrorType = JsonRead.Str(f, "error.type"),
            Streaming = JsonRead.Bool(f, "streaming") ?? JsonRead.Bool(f, "gen_ai.request.stream"),
            Complete = JsonRead.Bool(f, "complete"),
            Truncated = JsonRead.Bool(f, "truncated"),
            ServerAddress = JsonRead.Str(f, "server.address"),
            UrlPath = JsonRead.Str(f, "url.path"),
            FinishReasons = FinishReasonsOf(f),
            CostUsd = JsonRead.Double(JsonRead.Obj(f, "cost"), "usd"),
            PriceTable = JsonRead.Str(JsonRead.Obj(f, "cost"), "price_table"),
        };
        call.EndNs = evt.Timestamp;
        call.StartNs = call.DurationMs is { } ms ? evt.Timestamp - (long)(ms * 1_000_000) : evt.Timestamp;
        return call;
    }

    /// <summary>Places the call on the exchange's real request and response times.</summary>
    public void AlignWith(HttpExchange exchange)
    {
        if ((exchange.RequestStartNs ?? exchange.RequestEndNs) is { } start)
        {
            StartNs = start;
        }
        if (exchange.ResponseEndNs is { } end && end >= StartNs)
        {
            EndNs = end;
        }
    }

    private static List<string>? FinishReasonsOf(ReadOnlyJson fields) =>
        fields["gen_ai.response.finish_reasons"].ValueKind switch
        {
            JsonValueKind.Array => JsonRead.Strings(fields, "gen_ai.response.finish_reasons"),
            JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
                => JsonRead.Str(fields, "gen_ai.response.finish_reasons") is { } one ? [one] : null,
            _ => null,
        };
}
