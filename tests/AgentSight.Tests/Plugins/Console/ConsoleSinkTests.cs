using System.Globalization;
using System.IO.Pipes;
using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.Console;
using AgentSight.Tests.Support;
using CsCheck;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace AgentSight.Tests.Plugins;

public sealed class ConsoleSinkTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static readonly string Time = DateTimeOffset.FromUnixTimeMilliseconds(Some.Epoch / 1_000_000)
        .ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    // ---- json ----

    [Fact]
    public async Task Json_output_is_exactly_the_event_lines()
    {
        AgentEvent[] events =
        [
            Some.SslEvent("POST /v1/messages HTTP/1.1\r\nHost: api.anthropic.com\r\n\r\n", TlsDirection.Write),
            Some.SslEvent([0x16, 0x03, 0x01, 0x00, 0xff]),
            Some.JsonEvent(EventSources.Process, new JsonObject { ["event"] = "EXEC", ["filename"] = "/usr/bin/node" }),
            Some.JsonEvent("http_parser", new JsonObject { ["text"] = "héllo \u001b[31m \"quoted\" 日本" }),
            .. Some.Sequence(3),
        ];
        var output = new ScriptedStream();
        var sink = Sink(new ConsoleSinkConfig(), output);
        await sink.StartAsync(None);
        foreach (var evt in events)
        {
            sink.Write(evt);
        }
        await sink.FlushAsync(None);

        var expected = string.Concat(events.Select(e => AgentEventJson.ToJson(e) + "\n"));
        Assert.Equal(expected, Encoding.UTF8.GetString(output.Written));
        await sink.StopAsync(None);
    }

    [Fact]
    public async Task Events_are_written_out_in_one_write_when_the_host_flushes()
    {
        var output = new ScriptedStream();
        var sink = Sink(new ConsoleSinkConfig(), output);
        await sink.StartAsync(None);
        foreach (var evt in Some.Sequence(100))
        {
            sink.Write(evt);
        }
        Assert.Empty(output.Written);

        await sink.FlushAsync(None);

        Assert.Equal(100, Lines(output.Written).Length);
        Assert.Equal(1, output.WriteCalls);
        await sink.StopAsync(None);
    }

    [Fact]
    public async Task A_line_larger_than_the_buffer_is_written_whole_and_in_order()
    {
        var huge = Some.SslEvent(new string('x', 300_000));
        AgentEvent[] events = [.. Some.Sequence(2), huge, .. Some.Sequence(2)];
        var output = new ScriptedStream();
        var sink = Sink(new ConsoleSinkConfig(), output);
        await sink.StartAsync(None);
        foreach (var evt in events)
        {
            sink.Write(evt);
        }
        await sink.StopAsync(None);

        Assert.Equal(events.Select(AgentEventJson.ToJson), Lines(output.Written));
    }

    [Fact]
    public async Task Stop_writes_out_what_is_still_buffered_and_closes_the_stream()
    {
        var output = new ScriptedStream();
        var sink = Sink(new ConsoleSinkConfig(), output);
        await sink.StartAsync(None);
        sink.Write(Some.JsonEvent());

        await sink.StopAsync(None);

        Assert.Single(Lines(output.Written));
        Assert.True(output.Disposed);
    }

    // ---- pretty ----

    [Fact]
    public void Pretty_ssl_line_shows_time_source_process_function_length_connection_and_text()
    {
        const string text = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n";
        var line = PrettyLine(Some.SslEvent(text, pid: 4242, tid: 4250, comm: "python3", connection: 0x5581_0000_1000));

        Assert.Equal(
            $"{Time} ssl python3(4242/4250) READ/RECV {text.Length}B conn=0x558100001000 "
            + @"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n",
            line);
    }

    [Fact]
    public void Pretty_ssl_line_marks_a_truncated_capture_with_the_bytes_lost()
    {
        var evt = Some.SslEvent("data: {\"type\":\"content_block_delta\"}", TlsDirection.Write);
        var tls = (TlsPayload)evt.Data;
        tls.Length = 600_000;
        tls.BytesLost = 75_712;

        var line = PrettyLine(evt);

        Assert.StartsWith($"{Time} ssl python3(4242/4250) WRITE/SEND 600000B conn=0x558100001000 TRUNCATED -75712 B data: {{", line);
    }

    [Fact]
    public void Pretty_handshake_line_has_no_length_and_no_text()
    {
        var evt = new AgentEvent(Some.Epoch, EventSources.Ssl, 7, 7, "curl", new TlsPayload(TlsDirection.Handshake, ReadOnlyMemory<byte>.Empty, 1)
        {
            ConnectionId = 0xabc,
        });

        Assert.Equal($"{Time} ssl curl(7) HANDSHAKE conn=0xabc", PrettyLine(evt));
    }

    [Theory]
    [InlineData(4242, "python3(4242)")]
    [InlineData(0, "python3(4242)")]
    [InlineData(4250, "python3(4242/4250)")]
    public void Pretty_line_shows_the_thread_only_when_it_is_not_the_process(int tid, string expected)
    {
        var line = PrettyLine(Some.SslEvent("x", pid: 4242, tid: tid));

        Assert.StartsWith($"{Time} ssl {expected} READ/RECV", line);
    }

    [Theory]
    [InlineData("""{"event":"EXEC","comm":"claude","pid":5001,"ppid":4999,"filename":"/usr/bin/node"}""", "EXEC filename=/usr/bin/node")]
    [InlineData("""{"event":"EXIT","comm":"claude","pid":5001,"ppid":4999,"exit_code":2,"duration_ms":1234}""", "EXIT exit_code=2")]
    [InlineData("""{"event":"FILE_OPEN","comm":"claude","pid":5001,"count":1,"filepath":"/home/u/.claude.json","flags":524288}""", "FILE_OPEN filepath=/home/u/.claude.json")]
    [InlineData("""{"event":"BASH_READLINE","comm":"bash","pid":5001,"command":"echo \"hi\"\n"}""", """BASH_READLINE command=echo "hi"\n""")]
    [InlineData("""{"event":"FORK","pid":5001,"filename":"/bin/sh"}""", "FORK filename=/bin/sh")]
    [InlineData("""{"event":"UNKNOWN","event_type":7}""", """UNKNOWN {"event":"UNKNOWN","event_type":7}""")]
    public void Pretty_process_line_shows_the_event_and_its_main_field(string data, string expected)
    {
        var evt = Some.JsonEvent(EventSources.Process, (JsonObject)JsonNode.Parse(data)!, pid: 5001, comm: "claude");

        Assert.Equal($"{Time} process claude(5001) {expected}", PrettyLine(evt));
    }

    [Fact]
    public void Pretty_generic_event_shows_its_compact_json_cut_at_max_preview()
    {
        var fields = new JsonObject { ["method"] = "POST", ["path"] = "/v1/messages", ["body"] = new string('a', 500) };
        const string json = """{"method":"POST","path":"/v1/messages","body":"aaaa""";

        var line = PrettyLine(Some.JsonEvent("http_parser", fields, pid: 9, comm: "node"), maxPreview: 40);

        Assert.Equal($"{Time} http_parser node(9) {json[..39]}…", line);
    }

    [Fact]
    public void Pretty_generic_event_that_fits_is_shown_whole()
    {
        var line = PrettyLine(Some.JsonEvent("custom", new JsonObject { ["n"] = 1, ["ok"] = true }, pid: 9, comm: "node"));

        Assert.Equal($"{Time} custom node(9) {{\"n\":1,\"ok\":true}}", line);
    }

    [Fact]
    public void Pretty_text_escapes_control_characters_invalid_bytes_and_bidi_overrides()
    {
        byte[] bytes = [.. "a\tb\u001b[31mc"u8, 0xff, .. "é\u202e\u0085z"u8];

        var line = PrettyLine(Some.SslEvent(bytes));

        Assert.EndsWith(@" a\tb\x1b[31mc\xffé\u202e\u0085z", line);
    }

    [Fact]
    public void Pretty_text_is_cut_at_max_preview_without_splitting_an_escape()
    {
        var line = PrettyLine(Some.SslEvent(string.Concat(Enumerable.Repeat("\r\n", 50))), maxPreview: 16);

        Assert.EndsWith(@"B conn=0x558100001000 \r\n\r\n\r\n\r…", line);
    }

    [Fact]
    public void Pretty_text_is_not_cut_when_it_fits_exactly()
    {
        var line = PrettyLine(Some.SslEvent(new string('z', 16)), maxPreview: 16);

        Assert.EndsWith(" " + new string('z', 16), line);
    }

    [Fact]
    public async Task Pretty_preview_never_exceeds_max_preview_nor_breaks_the_line()
    {
        var gen = Gen.Select(Gen.Byte.Array[1, 600], Gen.Int[ConsoleSinkConfig.MinPreview, 120]);
        await gen.SampleAsync(async (bytes, maxPreview) =>
        {
            var line = await PrettyLineAsync(Some.SslEvent(bytes), maxPreview);

            var prefix = $"{Time} ssl python3(4242/4250) READ/RECV {bytes.Length}B conn=0x558100001000 ";
            Assert.StartsWith(prefix, line);
            Assert.InRange(line.Length - prefix.Length, 1, maxPreview);
            Assert.DoesNotContain(line, c => char.IsControl(c) || c is '\u2028' or '\u2029');
        }, iter: 300);
    }

    public static TheoryData<string, AgentEvent> OddEvents()
    {
        var deep = new JsonObject();
        var node = deep;
        for (var i = 0; i < 1500; i++)
        {
            var child = new JsonObject();
            node["d"] = child;
            node = child;
        }
        var random = new byte[4096];
        new Random(7).NextBytes(random);
        return new TheoryData<string, AgentEvent>
        {
            { "empty read", Some.SslEvent([]) },
            { "ten megabytes", Some.SslEvent(new byte[10_000_000]) },
            { "random binary", Some.SslEvent(random) },
            { "capture failed", new AgentEvent(Some.Epoch, EventSources.Ssl, 1, 1, "x", new TlsPayload(TlsDirection.Read, new byte[] { 1 }, 1) { HasBytes = false }) },
            { "empty object", Some.JsonEvent("x", []) },
            { "process without event", Some.JsonEvent(EventSources.Process, new JsonObject { ["pid"] = 1 }) },
            { "process event not a string", Some.JsonEvent(EventSources.Process, new JsonObject { ["event"] = 5, ["filename"] = "/x" }) },
            { "main field null", Some.JsonEvent(EventSources.Process, new JsonObject { ["event"] = "EXEC", ["filename"] = null }) },
            { "main field object", Some.JsonEvent(EventSources.Process, new JsonObject { ["event"] = "EXEC", ["filename"] = new JsonObject { ["a"] = new JsonArray(1, 2) } }) },
            { "huge string field", Some.JsonEvent("x", new JsonObject { ["s"] = new string('q', 2_000_000) }) },
            { "nested too deep for JSON", Some.JsonEvent("x", deep) },
            { "payload that throws", new AgentEvent(Some.Epoch, "plugin", 1, 1, "x", new ThrowingPayload()) },
            { "no payload at all", new AgentEvent(Some.Epoch, "plugin", 1, 1, "x", null!) },
            { "null source and comm", new AgentEvent(Some.Epoch, null!, 1, 1, null!, new JsonPayload([])) },
            { "lone surrogates and controls in comm", new AgentEvent(Some.Epoch, "s\ud800", 1, 1, "a\udc00\u0007\n", new JsonPayload([])) },
            { "earliest timestamp", new AgentEvent(long.MinValue, "x", 1, 1, "x", new JsonPayload([])) },
            { "latest timestamp", new AgentEvent(long.MaxValue, "x", 1, 1, "x", new JsonPayload([])) },
        };
    }

    [Theory]
    [MemberData(nameof(OddEvents))]
    public async Task Pretty_formatting_never_throws_on_odd_events(string name, AgentEvent evt)
    {
        var output = new ScriptedStream();
        var sink = Sink(new ConsoleSinkConfig { Format = ConsoleFormat.Pretty }, output);
        await sink.StartAsync(None);

        sink.Write(evt);
        await sink.StopAsync(None);

        var text = Encoding.UTF8.GetString(output.Written);
        Assert.True(text.EndsWith('\n') && text.IndexOf('\n') == text.Length - 1, $"{name}: not one line: {text}");
        Assert.True(text.Length < 1000, $"{name}: {text.Length} characters");
    }

    [Fact]
    public void Pretty_line_says_why_a_payload_is_not_shown()
    {
        var line = PrettyLine(new AgentEvent(Some.Epoch, "plugin", 3, 3, "x", new ThrowingPayload()));

        Assert.Equal($"{Time} plugin x(3) (payload not shown: InvalidOperationException)", line);
    }

    // ---- broken pipe ----

    [Fact]
    public async Task When_the_reader_goes_away_the_sink_warns_once_then_discards_and_counts_events()
    {
        var logger = new RecordingLogger();
        var context = new TestStageContext { Logger = logger };
        var output = new ScriptedStream();
        var sink = new ConsoleSink(new ConsoleSinkConfig(), context, () => output);
        await sink.StartAsync(None);
        foreach (var evt in Some.Sequence(3))
        {
            sink.Write(evt);
        }
        await sink.FlushAsync(None);
        output.FailWith(ScriptedStream.Epipe);

        foreach (var evt in Some.Sequence(4))
        {
            sink.Write(evt);
        }
        await sink.FlushAsync(None);
        foreach (var evt in Some.Sequence(5))
        {
            sink.Write(evt);
        }
        await sink.FlushAsync(None);
        await sink.StopAsync(None);

        Assert.Equal(3, Lines(output.Written).Length);
        Assert.Equal(9, context.CounterValue(ConsoleSink.DiscardedCounter));
        var warning = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("the console sink discards further events", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reader_gone_during_a_line_larger_than_the_buffer_is_handled_the_same_way()
    {
        var logger = new RecordingLogger();
        var context = new TestStageContext { Logger = logger };
        var output = new ScriptedStream();
        output.FailWith(ScriptedStream.Epipe);
        var sink = new ConsoleSink(new ConsoleSinkConfig(), context, () => output);
        await sink.StartAsync(None);

        sink.Write(Some.JsonEvent());
        sink.Write(Some.SslEvent(new string('x', 200_000)));
        sink.Write(Some.JsonEvent());
        await sink.StopAsync(None);

        Assert.Equal(3, context.CounterValue(ConsoleSink.DiscardedCounter));
        Assert.Single(logger.At(LogLevel.Warning));
    }

    [Fact]
    public async Task A_real_pipe_whose_reader_closed_is_recognised()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        pipe.DisposeLocalCopyOfClientHandle();
        var logger = new RecordingLogger();
        var context = new TestStageContext { Logger = logger };
        // What StandardStreams gives for a pipe: a FileStream over the descriptor.
        var sink = new ConsoleSink(new ConsoleSinkConfig(), context,
            () => new FileStream(new SafeFileHandle(pipe.SafePipeHandle.DangerousGetHandle(), ownsHandle: false), FileAccess.Write, 0));
        await sink.StartAsync(None);

        sink.Write(Some.JsonEvent());
        await sink.FlushAsync(None);
        sink.Write(Some.JsonEvent());
        await sink.StopAsync(None);

        Assert.Equal(2, context.CounterValue(ConsoleSink.DiscardedCounter));
        Assert.Single(logger.At(LogLevel.Warning));
    }

    [Fact]
    public async Task Other_write_errors_reach_the_host()
    {
        var context = new TestStageContext();
        var output = new ScriptedStream();
        var sink = new ConsoleSink(new ConsoleSinkConfig(), context, () => output);
        await sink.StartAsync(None);
        sink.Write(Some.JsonEvent());
        output.FailWith(ScriptedStream.Enospc);

        var error = await Assert.ThrowsAsync<IOException>(() => sink.FlushAsync(None).AsTask());

        Assert.Equal(ScriptedStream.Enospc, error.HResult);
        Assert.Equal(0, context.CounterValue(ConsoleSink.DiscardedCounter));
    }

    // ---- lifecycle ----

    [Fact]
    public async Task Creating_the_sink_does_not_open_the_stream()
    {
        var opened = 0;
        var sink = new ConsoleSink(new ConsoleSinkConfig(), new TestStageContext(), () =>
        {
            opened++;
            return new ScriptedStream();
        });
        Assert.Equal(0, opened);

        await sink.StartAsync(None);

        Assert.Equal(1, opened);
        await sink.StopAsync(None);
    }

    [Fact]
    public async Task Stop_without_start_and_stop_twice_are_safe()
    {
        var opened = 0;
        var never = new ConsoleSink(new ConsoleSinkConfig(), new TestStageContext(), () =>
        {
            opened++;
            return new ScriptedStream();
        });
        await never.StopAsync(None);
        await never.StopAsync(None);
        Assert.Equal(0, opened);

        var output = new ScriptedStream();
        var sink = Sink(new ConsoleSinkConfig(), output);
        await sink.StartAsync(None);
        sink.Write(Some.JsonEvent());
        await sink.StopAsync(None);
        await sink.StopAsync(None);
        Assert.Single(Lines(output.Written));
    }

    [Fact]
    public void The_factory_describes_a_sink_whose_default_config_is_valid()
    {
        var factory = new ConsoleSinkFactory();

        Assert.Equal(PluginKind.Sink, factory.Kind);
        Assert.Equal(typeof(ConsoleSinkConfig), factory.ConfigType);
        Assert.False(string.IsNullOrWhiteSpace(factory.Description));
        Assert.Empty(factory.CreateDefaultConfig().Validate());
        Assert.IsType<ConsoleSink>(factory.Create(factory.CreateDefaultConfig(), new TestStageContext()));
    }

    // ---- config ----

    [Fact]
    public void Config_binds_from_the_manifest_keys()
    {
        var config = ManifestJson.Bind<ConsoleSinkConfig>("""{"format":"pretty","stream":"stderr","max_preview":40}""");

        Assert.Equal(ConsoleFormat.Pretty, config.Format);
        Assert.Equal(ConsoleOutputStream.Stderr, config.Stream);
        Assert.Equal(40, config.MaxPreview);
    }

    [Fact]
    public void Config_defaults_are_json_on_stdout()
    {
        var config = ManifestJson.Bind<ConsoleSinkConfig>("{}");

        Assert.Equal(ConsoleFormat.Json, config.Format);
        Assert.Equal(ConsoleOutputStream.Stdout, config.Stream);
        Assert.Equal(160, config.MaxPreview);
    }

    [Theory]
    [InlineData("max_preview", "15")]
    [InlineData("format", "9")]
    [InlineData("stream", "9")]
    public void Validation_names_the_key_and_the_value_given(string key, string given)
    {
        var config = key switch
        {
            "max_preview" => new ConsoleSinkConfig { MaxPreview = 15 },
            "format" => new ConsoleSinkConfig { Format = (ConsoleFormat)9 },
            _ => new ConsoleSinkConfig { Stream = (ConsoleOutputStream)9 },
        };

        var error = Assert.Single(config.Validate());

        Assert.Equal(key, error.Key);
        Assert.Contains($"(got {given})", error.Message, StringComparison.Ordinal);
    }

    // ---- helpers ----

    private static ConsoleSink Sink(ConsoleSinkConfig config, Stream output) =>
        new(config, new TestStageContext(), () => output);

    private static string[] Lines(byte[] written)
    {
        var text = Encoding.UTF8.GetString(written);
        Assert.True(text.Length == 0 || text.EndsWith('\n'), "the output does not end with a line feed");
        return text.Length == 0 ? [] : text[..^1].Split('\n');
    }

    private static string PrettyLine(AgentEvent evt, int maxPreview = 160)
    {
        // The sink's calls complete synchronously; the formatter is what is under test here.
        using var formatter = new PrettyLineFormatter(maxPreview);
        var text = Encoding.UTF8.GetString(formatter.Format(evt));
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text[..^1];
    }

    private static async Task<string> PrettyLineAsync(AgentEvent evt, int maxPreview)
    {
        var output = new ScriptedStream();
        var sink = Sink(new ConsoleSinkConfig { Format = ConsoleFormat.Pretty, MaxPreview = maxPreview }, output);
        await sink.StartAsync(None);
        sink.Write(evt);
        await sink.StopAsync(None);
        return Assert.Single(Lines(output.Written));
    }

    /// <summary>A plugin's payload type whose JSON writing fails.</summary>
    private sealed class ThrowingPayload : EventPayload
    {
        public override void WriteTo(System.Text.Json.Utf8JsonWriter writer) => throw new InvalidOperationException("broken payload");
    }
}
