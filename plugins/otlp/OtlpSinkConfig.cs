using AgentSight.Contracts;

namespace AgentSight.Plugins.Otlp;

/// <summary>Configuration of the <c>otlp</c> sink (docs/OTLP.md).</summary>
public sealed class OtlpSinkConfig : PluginConfig
{
    /// <summary>The largest accepted <see cref="QueueSize"/>: spans waiting in memory.</summary>
    public const int MaxQueueSize = 1_000_000;

    /// <summary>
    /// The backend (<c>endpoint</c>): the collector's base URL, default <c>http://127.0.0.1:4317</c>. For
    /// <c>http/protobuf</c> the signal paths (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>) are added to it.
    /// </summary>
    public string Endpoint { get; set; } = "http://127.0.0.1:4317";

    /// <summary>
    /// <c>grpc</c>, <c>http/protobuf</c>, or <c>auto</c> (the default): port 4318 means <c>http/protobuf</c>, as the
    /// OTLP specification's default ports say, any other port <c>grpc</c>.
    /// </summary>
    public string Protocol { get; set; } = "auto";

    /// <summary>Headers sent with every export (<c>headers</c>), e.g. an API key of a hosted backend; none by default.</summary>
    public Dictionary<string, string> Headers { get; set; } = [];

    /// <summary>Bound on one export request in milliseconds (<c>timeout_ms</c>); default 10000.</summary>
    public int TimeoutMs { get; set; } = 10_000;

    /// <summary>Spans waiting for export (<c>queue_size</c>); default 4096. Past it new spans are dropped and counted.</summary>
    public int QueueSize { get; set; } = 4096;

    /// <summary>Spans sent in one request at most (<c>batch_size</c>); default 512.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>Further tries of a failed export, waiting 200 ms, doubling up to 5 s (<c>max_retries</c>); default 5.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>
    /// At the end of the run, how long queued spans and the last metrics may still take to go out
    /// (<c>drain_timeout_ms</c>); default 5000. What is left then is dropped and counted: the run never waits on the
    /// backend for longer.
    /// </summary>
    public int DrainTimeoutMs { get; set; } = 5000;

    /// <summary>Export spans (<c>traces</c>); default true.</summary>
    public bool Traces { get; set; } = true;

    /// <summary>Export metrics (<c>metrics</c>): token usage, call duration, cost, the pipeline's counters; default true.</summary>
    public bool Metrics { get; set; } = true;

    /// <summary>Milliseconds between metric exports (<c>metric_interval_ms</c>); default 10000, and once more at the end.</summary>
    public int MetricIntervalMs { get; set; } = 10_000;

    /// <summary>Export every event as a log record (<c>logs</c>); default false.</summary>
    public bool Logs { get; set; }

    /// <summary>
    /// Spans made here from <c>llm</c> events (<c>chat</c>) and <c>process</c> events (<c>process</c>) under one span for
    /// the run (<c>derived_spans</c>): <c>auto</c> (the default: only while no <c>span</c> event has come, so a trace
    /// analyzer's spans are never doubled), <c>always</c>, or <c>never</c>.
    /// </summary>
    public string DerivedSpans { get; set; } = "auto";

    /// <summary>
    /// Include message content (<c>capture_content</c>): prompts, answers, tool arguments and results, bodies; default
    /// false, as the GenAI conventions ask. Redaction has run before this sink either way.
    /// </summary>
    public bool CaptureContent { get; set; }

    /// <summary>The resource's <c>service.name</c> (<c>service_name</c>); default <c>agentsight</c>.</summary>
    public string ServiceName { get; set; } = "agentsight";

    /// <summary>The protocol <see cref="Protocol"/> stands for with this endpoint: <c>grpc</c> or <c>http/protobuf</c>.</summary>
    internal string EffectiveProtocol =>
        Protocol != "auto" ? Protocol
        : Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) && uri.Port == 4318 ? "http/protobuf" : "grpc";

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https") || uri.Host.Length == 0)
        {
            yield return new ConfigError("endpoint", $"must be an http:// or https:// URL, e.g. http://127.0.0.1:4317 (got {Quote(Endpoint)})");
        }
        if (Protocol is not ("auto" or "grpc" or "http/protobuf"))
        {
            yield return new ConfigError("protocol", $"must be grpc, http/protobuf or auto (got {Quote(Protocol)})");
        }
        foreach (var (name, value) in Headers ?? [])
        {
            if (name.Length == 0 || name.Any(c => c <= ' ' || c is ',' or '=' or ':' || c > '~'))
            {
                yield return new ConfigError("headers", $"header name {Quote(name)} is not a valid HTTP header name");
            }
            else if (value is null || value.Any(c => c is '\r' or '\n' or ','))
            {
                yield return new ConfigError($"headers.{name}", "must be a value without line breaks or commas");
            }
        }
        if (TimeoutMs is < 100 or > 600_000)
        {
            yield return new ConfigError("timeout_ms", $"must be between 100 and 600000 (got {TimeoutMs})");
        }
        if (QueueSize is < 1 or > MaxQueueSize)
        {
            yield return new ConfigError("queue_size", $"must be between 1 and {MaxQueueSize} (got {QueueSize})");
        }
        if (BatchSize is < 1 or > 10_000)
        {
            yield return new ConfigError("batch_size", $"must be between 1 and 10000 (got {BatchSize})");
        }
        if (MaxRetries is < 0 or > 100)
        {
            yield return new ConfigError("max_retries", $"must be between 0 and 100 (got {MaxRetries})");
        }
        if (DrainTimeoutMs is < 0 or > 600_000)
        {
            yield return new ConfigError("drain_timeout_ms", $"must be between 0 and 600000 (got {DrainTimeoutMs})");
        }
        if (MetricIntervalMs is < 100 or > 3_600_000)
        {
            yield return new ConfigError("metric_interval_ms", $"must be between 100 and 3600000 (got {MetricIntervalMs})");
        }
        if (DerivedSpans is not ("auto" or "always" or "never"))
        {
            yield return new ConfigError("derived_spans", $"must be auto, always or never (got {Quote(DerivedSpans)})");
        }
        if (string.IsNullOrWhiteSpace(ServiceName))
        {
            yield return new ConfigError("service_name", "must not be empty");
        }
        if (!Traces && !Metrics && !Logs)
        {
            yield return new ConfigError("traces", "traces, metrics and logs are all off: nothing would be exported");
        }
    }

    private static string Quote(string? text) => text is null ? "null" : $"\"{text}\"";
}
