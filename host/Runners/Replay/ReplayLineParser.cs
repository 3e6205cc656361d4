using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Host.Runners.Replay;

/// <summary>
/// Turns one recorded line into an event, whichever of the four formats it is in: ours, the original collector's
/// log line, a raw sslsniff line or a raw process line. Each line is parsed once.
/// </summary>
internal sealed class ReplayLineParser
{
    /// <summary>Duplicate keys are refused while parsing, rather than failing later on first access.</summary>
    internal static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256, AllowDuplicateProperties = false };

    private const long NanosecondsPerMillisecond = 1_000_000;

    private readonly ReplayTimestamps _timestamps;

    public ReplayLineParser(ReplayTimestamps timestamps) => _timestamps = timestamps;

    /// <summary>Parses one line (UTF-8, without its line ending).</summary>
    public bool TryParse(ReadOnlySpan<byte> line, [NotNullWhen(true)] out AgentEvent? evt, [NotNullWhen(false)] out string? error)
    {
        evt = null;
        try
        {
            if (JsonNode.Parse(line, documentOptions: DocumentOptions) is not JsonObject root)
            {
                error = "not a JSON object";
                return false;
            }
            if (root.ContainsKey("source"))
            {
                return TryParseEnvelope(root, out evt, out error);
            }
            if (root.ContainsKey("function"))
            {
                return TryParseSslsniff(root, line, out evt, out error);
            }
            if (root.ContainsKey("event"))
            {
                return TryParseProcess(root, out evt, out error);
            }
            error = "not an event: none of the keys \"source\", \"function\" (sslsniff) or \"event\" (process)";
            return false;
        }
        catch (JsonException ex)
        {
            error = $"invalid JSON: {AgentEventJson.Describe(ex)}";
            return false;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // Strings that are not valid UTF-8 or hold lone surrogates only fail when they are read.
            error = $"unreadable value: {ex.Message}";
            return false;
        }
    }

    /// <summary>The recorded timestamp of any of the four formats, and whether the line is an original FakeRunner one.</summary>
    internal static bool TryReadRawTimestamp(JsonObject root, out long timestamp, out bool fakeRunnerLine)
    {
        fakeRunnerLine = false;
        var key = !root.ContainsKey("source") && root.ContainsKey("function") ? "timestamp_ns" : "timestamp";
        if (!JsonFields.TryGetInteger(root, key, out timestamp, out _))
        {
            return false;
        }
        fakeRunnerLine = IsFakeRunnerLine(root, timestamp);
        return true;
    }

    /// <summary>
    /// The original FakeRunner stamped epoch milliseconds and copied them, ×1e6, into the ssl data's
    /// <c>timestamp_ns</c>; its eBPF lines carry the same boot-relative value in both.
    /// </summary>
    private static bool IsFakeRunnerLine(JsonObject root, long timestamp) =>
        timestamp > 0 && timestamp <= long.MaxValue / NanosecondsPerMillisecond
        && root["source"] is JsonValue source && source.TryGetValue(out string? name) && name == EventSources.Ssl
        && root["data"] is JsonObject data && data["timestamp_ns"] is JsonValue ns && ns.TryGetValue(out long nanoseconds)
        && nanoseconds == timestamp * NanosecondsPerMillisecond;

    private bool TryParseEnvelope(JsonObject root, [NotNullWhen(true)] out AgentEvent? evt, [NotNullWhen(false)] out string? error)
    {
        evt = null;
        // Values the envelope reader would take but no recorder writes: ids that wrap, negative times.
        if (!JsonFields.CheckTimestamp(root, "timestamp", out error)
            || !JsonFields.CheckId(root, "pid", "process", out _, out error)
            || !JsonFields.CheckId(root, "tid", "thread", out _, out error)
            || (root["data"] is JsonObject data && root["source"] is JsonValue source && source.TryGetValue(out string? name)
                && name == EventSources.Ssl && !JsonFields.CheckId(data, "tid", "thread", out _, out error)))
        {
            return false;
        }
        // Checked before the data object is consumed into a typed payload.
        var fakeRunnerLine = root["timestamp"] is JsonValue raw && raw.TryGetValue(out long recorded) && IsFakeRunnerLine(root, recorded);
        if (!AgentEventJson.TryFromObject(root, out evt, out error))
        {
            return false;
        }
        if (evt.Source == EventSources.HttpBody && evt.Data is not HttpBodyPayload)
        {
            // The sse analyzer reads streamed bodies from these: without its fields one would be an event of no known shape.
            error = "http_body \"data\" lacks \"exchange_id\", \"offset\" or \"data\"";
            evt = null;
            return false;
        }
        if (!_timestamps.TryConvert(evt.Timestamp, fakeRunnerLine, out var timestamp, out error))
        {
            evt = null;
            return false;
        }
        evt.Timestamp = timestamp;
        return true;
    }

    private bool TryParseSslsniff(JsonObject root, ReadOnlySpan<byte> line, [NotNullWhen(true)] out AgentEvent? evt, [NotNullWhen(false)] out string? error)
    {
        evt = null;
        if (!JsonFields.TryGetInteger(root, "timestamp_ns", out var recorded, out error)
            || !JsonFields.CheckTimestamp(root, "timestamp_ns", out error)
            || !JsonFields.TryGetId(root, "pid", "process", out var pid, out error)
            || !JsonFields.CheckId(root, "tid", "thread", out _, out error)
            || !JsonFields.TryGetString(root, "comm", out var comm, out error))
        {
            return false;
        }
        if (!AgentEventJson.TryReadTls(root, out var payload, out var tid, out error))
        {
            error ??= "\"function\" is not a string";
            return false;
        }
        if (payload.HasBytes && SslsniffData.MayHaveHighByteEscapes(line) && SslsniffData.TryReadData(line, out var bytes))
        {
            payload.Bytes = bytes;
        }
        if (!_timestamps.TryConvert(recorded, fakeRunnerLine: false, out var timestamp, out error))
        {
            return false;
        }
        // tid was checked above: it fits.
        evt = new AgentEvent(timestamp, EventSources.Ssl, pid, (int)tid, comm, payload);
        return true;
    }

    private bool TryParseProcess(JsonObject root, [NotNullWhen(true)] out AgentEvent? evt, [NotNullWhen(false)] out string? error)
    {
        evt = null;
        if (!JsonFields.TryGetInteger(root, "timestamp", out var recorded, out error)
            || !JsonFields.CheckTimestamp(root, "timestamp", out error)
            || !JsonFields.TryGetString(root, "event", out _, out error)
            || !JsonFields.TryGetId(root, "pid", "process", out var pid, out error)
            || !JsonFields.TryGetString(root, "comm", out var comm, out error))
        {
            return false;
        }
        if (!_timestamps.TryConvert(recorded, fakeRunnerLine: false, out var timestamp, out error))
        {
            return false;
        }
        // The process program reports per process, not per thread: the thread is unknown.
        evt = new AgentEvent(timestamp, EventSources.Process, pid, 0, comm, new JsonPayload(root));
        return true;
    }
}
