using AgentSight.Plugins.Otlp;

namespace AgentSight.Tests.Otlp;

public sealed class OtlpConfigTests
{
    [Fact]
    public void The_defaults_are_valid_and_export_spans_and_metrics_to_a_local_collector_over_grpc()
    {
        var config = new OtlpSinkConfig();
        Assert.Empty(config.Validate());
        Assert.Equal("grpc", config.EffectiveProtocol);
        Assert.True(config.Traces);
        Assert.True(config.Metrics);
        Assert.False(config.Logs);
        Assert.False(config.CaptureContent);
    }

    [Theory]
    [InlineData("http://collector:4318", "auto", "http/protobuf")]
    [InlineData("https://otel.example.com:4317", "auto", "grpc")]
    [InlineData("https://api.honeycomb.io", "auto", "grpc")]
    [InlineData("http://collector:4318", "grpc", "grpc")]
    [InlineData("http://collector:9999", "http/protobuf", "http/protobuf")]
    public void Auto_takes_port_4318_for_http_protobuf_as_the_otlp_default_ports_say(string endpoint, string protocol, string expected) =>
        Assert.Equal(expected, new OtlpSinkConfig { Endpoint = endpoint, Protocol = protocol }.EffectiveProtocol);

    [Fact]
    public void Every_mistake_is_named_by_its_key()
    {
        var config = new OtlpSinkConfig
        {
            Endpoint = "collector:4317",
            Protocol = "thrift",
            Headers = new() { ["x-api key"] = "a", ["authorization"] = "Bearer a\nb" },
            TimeoutMs = 5,
            QueueSize = 0,
            BatchSize = 0,
            MaxRetries = -1,
            DrainTimeoutMs = -1,
            MetricIntervalMs = 1,
            DerivedSpans = "sometimes",
            ServiceName = " ",
        };
        var keys = config.Validate().Select(e => e.Key).ToList();
        Assert.Equal(["endpoint", "protocol", "headers", "headers.authorization", "timeout_ms", "queue_size", "batch_size", "max_retries",
            "drain_timeout_ms", "metric_interval_ms", "derived_spans", "service_name"], keys);
    }

    [Fact]
    public void Nothing_to_export_is_a_mistake() =>
        Assert.Contains(new OtlpSinkConfig { Traces = false, Metrics = false }.Validate(), e => e.Key == "traces");

    [Fact]
    public void Http_protobuf_gets_each_signals_path_on_the_base_url_and_grpc_the_url_as_given()
    {
        var http = OtlpEndpoints.For(new OtlpSinkConfig { Endpoint = "http://collector:4318/", Headers = new() { ["x-honeycomb-team"] = "k1" } }, "traces");
        Assert.Equal("http://collector:4318/v1/traces", http.Endpoint.ToString());
        Assert.Equal(OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf, http.Protocol);
        Assert.Equal("x-honeycomb-team=k1", http.Headers);
        var grpc = OtlpEndpoints.For(new OtlpSinkConfig { Endpoint = "http://collector:4317" }, "metrics");
        Assert.Equal("http://collector:4317/", grpc.Endpoint.ToString());
        Assert.Equal(OpenTelemetry.Exporter.OtlpExportProtocol.Grpc, grpc.Protocol);
    }
}
