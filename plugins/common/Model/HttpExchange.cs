using AgentSight.Contracts;

namespace AgentSight.Plugins.Common.Model;

/// <summary>One <c>http</c> event (a request and its response), read.</summary>
public sealed record HttpExchange(
    string ExchangeId,
    long Timestamp,
    int Pid,
    string Comm,
    string? Method,
    string? Host,
    string? Path,
    int? Status,
    double? DurationMs,
    double? TtfbMs,
    long? RequestStartNs,
    long? RequestEndNs,
    long? ResponseEndNs,
    bool Complete,
    string? EndReason,
    long? RequestBodySize,
    long? ResponseBodySize,
    bool Streamed)
{
    /// <summary>Reads an <c>http</c> event; null when it has no exchange id.</summary>
    public static HttpExchange? Read(ReadOnlyEvent evt)
    {
        var fields = evt.Fields;
        var request = JsonRead.Obj(fields, "request");
        var response = JsonRead.Obj(fields, "response");
        var id = JsonRead.Str(fields, "exchange_id");
        if (id is null)
        {
            return null;
        }
        return new HttpExchange(
            id,
            evt.Timestamp,
            evt.Pid,
            evt.Comm,
            JsonRead.Str(request, "method"),
            JsonRead.Str(request, "host"),
            JsonRead.Str(request, "path"),
            (int?)JsonRead.Long(response, "status"),
            JsonRead.Double(fields, "duration_ms"),
            JsonRead.Double(fields, "ttfb_ms"),
            JsonRead.Long(request, "start_ns"),
            JsonRead.Long(request, "end_ns"),
            JsonRead.Long(response, "end_ns"),
            JsonRead.Bool(fields, "complete") ?? false,
            JsonRead.Str(fields, "end_reason"),
            JsonRead.Long(request, "body_size"),
            JsonRead.Long(response, "body_size"),
            JsonRead.Bool(response, "streamed") ?? false);
    }
}
