using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace AgentSight.Plugins.Otlp;

/// <summary>
/// Every event as an OTLP log record (<c>logs: true</c>): the body is the event's JSON (content fields left out unless
/// <c>capture_content</c>), the time the event's, with its source, pid and comm as attributes. Through the SDK's
/// logging bridge and its batch processor, whose own bounded queue drops silently when the backend cannot keep up:
/// <c>logs_written</c> counts what was handed to it.
/// </summary>
internal sealed class EventLogs : IDisposable
{
    private const string BodyKey = "agentsight.event.json";
    private const string TimeKey = "agentsight.event.timestamp_ns";

    private readonly ILoggerFactory _factory;
    private readonly ILogger _logger;
    private readonly bool _captureContent;
    private readonly AgentSight.Contracts.Counter _written;

    public EventLogs(OtlpSinkConfig config, IStageContext context)
    {
        _captureContent = config.CaptureContent;
        _written = context.Counter("logs_written");
        _factory = LoggerFactory.Create(logging => logging.AddOpenTelemetry(options =>
        {
            options.SetResourceBuilder(ResourceAttributes.Build(config, null));
            // The body of an OTLP record from ILogger is its formatted message: the event's JSON (the formatter below).
            options.IncludeFormattedMessage = true;
            options.AddProcessor(new EventTimeProcessor());
            options.AddOtlpExporter(exporter =>
            {
                var endpoint = OtlpEndpoints.For(config, "logs");
                exporter.Endpoint = endpoint.Endpoint;
                exporter.Protocol = endpoint.Protocol;
                exporter.TimeoutMilliseconds = endpoint.TimeoutMilliseconds;
                exporter.Headers = endpoint.Headers;
            });
        }));
        _logger = _factory.CreateLogger("AgentSight.Events");
    }

    public void Write(ReadOnlyEvent evt)
    {
        var state = new List<KeyValuePair<string, object?>>
        {
            new("agentsight.event.source", evt.Source),
            new("process.pid", (long)evt.Pid),
            new("process.executable.name", evt.Comm),
            new(TimeKey, evt.Timestamp),
            new(BodyKey, Json(evt)),
        };
        _logger.Log(LogLevel.Information, new EventId(0, evt.Source), state, null,
            static (fields, _) => fields.Find(f => f.Key == BodyKey).Value as string ?? string.Empty);
        _written.Add();
    }

    private string Json(ReadOnlyEvent evt)
    {
        if (_captureContent)
        {
            return AgentEventJson.ToJson(evt);
        }
        if (!evt.HasFields)
        {
            return Envelope(evt);
        }
        // A copy of our own, so content can be taken out without touching the shared event.
        var fields = evt.Fields.DeepClone()!.AsObject();
        foreach (var key in fields.Select(f => f.Key).ToList())
        {
            if (ContentFields.PayloadFields.Contains(key) || ContentFields.Attributes.Contains(key))
            {
                fields.Remove(key);
            }
        }
        foreach (var message in new[] { fields["request"], fields["response"] }.OfType<JsonObject>())
        {
            foreach (var key in ContentFields.HttpMessageFields)
            {
                message.Remove(key);
            }
        }
        return new JsonObject
        {
            ["timestamp"] = evt.Timestamp, ["source"] = evt.Source, ["pid"] = evt.Pid, ["tid"] = evt.Tid, ["comm"] = evt.Comm, ["data"] = fields,
        }.ToJsonString();
    }

    /// <summary>An event whose payload is bytes (TLS, stdio): its envelope only, without the bytes.</summary>
    private static string Envelope(ReadOnlyEvent evt)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("timestamp", evt.Timestamp);
            writer.WriteString("source", evt.Source);
            writer.WriteNumber("pid", evt.Pid);
            writer.WriteNumber("tid", evt.Tid);
            writer.WriteString("comm", evt.Comm);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public void Dispose() => _factory.Dispose();

    /// <summary>Puts the event's time where OTLP wants it (the record's time) and leaves the JSON to the body alone, before the exporter sees the record.</summary>
    private sealed class EventTimeProcessor : BaseProcessor<LogRecord>
    {
        public override void OnEnd(LogRecord data)
        {
            if (data.Attributes is not { } attributes)
            {
                return;
            }
            var kept = new List<KeyValuePair<string, object?>>(attributes.Count);
            foreach (var attribute in attributes)
            {
                switch (attribute.Key)
                {
                    case TimeKey when attribute.Value is long ns:
                        data.Timestamp = DateTime.UnixEpoch.AddTicks(ns / 100);
                        kept.Add(attribute);
                        break;
                    case BodyKey:
                        break;
                    default:
                        kept.Add(attribute);
                        break;
                }
            }
            data.Attributes = kept;
        }
    }
}
