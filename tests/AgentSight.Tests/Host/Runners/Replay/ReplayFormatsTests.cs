using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Runners.Replay;
using AgentSight.Tests.Support;
using static AgentSight.Tests.Runners.ReplayHarness;

namespace AgentSight.Tests.Runners;

/// <summary>Each of the four line formats a recording can hold comes back as the right events.</summary>
public sealed class ReplayFormatsTests
{
    /// <summary>The boot time used to make boot-relative timestamps predictable.</summary>
    private static readonly DateTimeOffset Boot = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static long BootNs => (Boot - DateTimeOffset.UnixEpoch).Ticks * 100;

    [Fact]
    public async Task Events_written_in_our_format_come_back_identical()
    {
        using var folder = TempFolder.ForCaller();
        var binary = Some.SslEvent([0x1f, 0x8b, 0x08, 0x00, 0xff], timestamp: Some.Epoch + 1);
        var cut = Some.SslEvent("HTTP/1.1 200 OK\r\n\r\n", timestamp: Some.Epoch + 2);
        var cutPayload = (TlsPayload)cut.Data;
        cutPayload.Length = 600_000;
        cutPayload.BytesLost = 600_000 - 19;
        var originals = new[]
        {
            Some.SslEvent("POST /v1/messages HTTP/1.1\r\nhost: api.anthropic.com\r\n\r\n{\"q\":\"café 日本 🎉\"}", TlsDirection.Write),
            binary,
            cut,
            new AgentEvent(Some.Epoch + 3, EventSources.Ssl, 7, 8, "node", new TlsPayload(TlsDirection.Handshake, ReadOnlyMemory<byte>.Empty, 1)),
            Some.JsonEvent("process", new JsonObject { ["event"] = "EXEC", ["filename"] = "/usr/bin/node", ["ppid"] = 1 }, timestamp: Some.Epoch + 4),
        };
        var path = WriteLines(folder, [.. originals.Select(RunnerHarness.Line)]);

        var replay = await ReplayFileAsync(path);

        Assert.Equal(0, replay.BadLines);
        Assert.Equal(originals.Select(RunnerHarness.Line), replay.Events.Select(RunnerHarness.Line));
        Assert.Equal([0x1f, 0x8b, 0x08, 0x00, 0xff], replay.Tls(1).Bytes.ToArray());
        Assert.True(replay.Tls(2).Truncated);
        Assert.Equal(600_000 - 19, replay.Tls(2).BytesLost);
        Assert.False(replay.Tls(3).HasBytes);
    }

    [Fact]
    public async Task A_line_of_ours_gives_every_field_of_the_event()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder,
            """{"timestamp":1795514400123456789,"source":"ssl","pid":4242,"tid":4250,"comm":"claude","data":{"function":"READ/RECV","conn_id":"0x5581a3c04f20","uid":1000,"len":5,"latency_ms":0.214,"is_handshake":false,"data":"0\r\n\r\n","truncated":false,"lib":"/usr/bin/node"}}""");

        var replay = await ReplayFileAsync(path);

        var evt = Assert.Single(replay.Events);
        Assert.Equal((1795514400123456789L, "ssl", 4242, 4250, "claude"), (evt.Timestamp, evt.Source, evt.Pid, evt.Tid, evt.Comm));
        var tls = replay.Tls(0);
        Assert.Equal(TlsDirection.Read, tls.Direction);
        Assert.Equal("0\r\n\r\n"u8.ToArray(), tls.Bytes.ToArray());
        Assert.Equal(5, tls.Length);
        Assert.Equal(0x5581a3c04f20UL, tls.ConnectionId);
        Assert.Equal(1000u, tls.Uid);
        Assert.Equal(214_000, tls.LatencyNs);
        Assert.False(tls.Truncated);
        Assert.Equal("/usr/bin/node", tls.Library);
    }

    [Fact]
    public async Task A_collector_ssl_line_takes_the_thread_from_its_data_and_decodes_escaped_text()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder,
            """{"comm":"claude","data":{"comm":"claude","data":"POST /v1/messages HTTP/1.1\r\nhost: api.anthropic.com\r\n\r\n{\"q\":\"caf\u00e9 \\ \"}","function":"WRITE/SEND","is_handshake":false,"latency_ms":0.214,"len":71,"pid":4242,"tid":4250,"timestamp_ns":86469533207690,"truncated":false,"uid":1000},"pid":4242,"source":"ssl","timestamp":86469533207690}""");

        var replay = await ReplayFileAsync(path, bootTime: Boot);

        var evt = Assert.Single(replay.Events);
        Assert.Equal(("ssl", 4242, 4250, "claude"), (evt.Source, evt.Pid, evt.Tid, evt.Comm));
        Assert.Equal(BootNs + 86469533207690, evt.Timestamp);
        var tls = replay.Tls(0);
        Assert.Equal(TlsDirection.Write, tls.Direction);
        Assert.Equal("POST /v1/messages HTTP/1.1\r\nhost: api.anthropic.com\r\n\r\n{\"q\":\"café \\ \"}", Encoding.UTF8.GetString(tls.Bytes.Span));
        Assert.Equal(71, tls.Length);
        Assert.Equal(tls.Length, tls.Bytes.Length);
        Assert.Equal(1000u, tls.Uid);
    }

    [Fact]
    public async Task A_collector_HEX_payload_becomes_its_bytes()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder,
            """{"comm":"python3","data":{"comm":"python3","data":"HEX:1fc28b08000000000003","function":"READ/RECV","is_handshake":false,"latency_ms":0.05,"len":10,"pid":5001,"tid":5001,"timestamp_ns":86469600000000,"truncated":false,"uid":1000},"pid":5001,"source":"ssl","timestamp":86469600000000}""");

        var replay = await ReplayFileAsync(path, bootTime: Boot);

        Assert.Equal([0x1f, 0xc2, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03], replay.Tls(0).Bytes.ToArray());
        Assert.Equal(TlsDirection.Read, replay.Tls(0).Direction);
    }

    [Fact]
    public async Task A_collector_null_payload_is_an_event_without_bytes()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder,
            """{"comm":"claude","data":{"comm":"claude","data":"null","function":"HANDSHAKE","is_handshake":true,"latency_ms":5.123,"len":1,"pid":4242,"tid":4250,"timestamp_ns":86469500000000,"truncated":false,"uid":1000},"pid":4242,"source":"ssl","timestamp":86469500000000}""");

        var replay = await ReplayFileAsync(path, bootTime: Boot);

        var tls = replay.Tls(0);
        Assert.Equal(TlsDirection.Handshake, tls.Direction);
        Assert.False(tls.HasBytes);
        Assert.True(tls.Bytes.IsEmpty);
        Assert.Equal(5_123_000, tls.LatencyNs);
    }

    [Fact]
    public async Task Collector_lines_of_other_sources_keep_their_data_as_fields()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder,
            """{"comm":"claude","data":{"comm":"claude","event":"EXEC","filename":"/usr/bin/node","pid":5001,"ppid":4999,"timestamp":86470000000000},"pid":5001,"source":"process","timestamp":86470000000000}""",
            """{"comm":"claude","data":{"connection_id":"4242:4250:msg_01ABC","duration_ns":300000,"end_time":86470012700000,"event_count":7,"function":"READ/RECV","has_message_start":true,"json_content":"","message_id":"msg_01ABC","original_source":"ssl","sse_events":[],"start_time":86470012400000,"text_content":"Hello world","tid":4250,"total_size":11},"pid":4242,"source":"sse_processor","timestamp":86470012700000}""");

        var replay = await ReplayFileAsync(path, bootTime: Boot);

        Assert.Equal(["process", "sse_processor"], replay.Events.Select(e => e.Source));
        Assert.Equal("/usr/bin/node", (string?)replay.Json(0).Fields["filename"]);
        Assert.Equal(4999, (int?)replay.Json(0).Fields["ppid"]);
        Assert.Equal("Hello world", (string?)replay.Json(1).Fields["text_content"]);
        Assert.Equal(BootNs + 86470012700000, replay.Events[1].Timestamp);
    }

    [Fact]
    public async Task A_raw_sslsniff_line_gives_the_exact_bytes_the_program_sent()
    {
        // The reference's example: café printed raw, a backslash, byte 0x01 and the invalid byte 0xff escaped.
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder,
            """{"function":"WRITE/SEND","timestamp_ns":86469533207690,"comm":"claude","pid":4242,"len":156,"uid":1000,"tid":4250,"latency_ms":0.214,"is_handshake":false,"data":"POST /v1/messages?beta=true HTTP/1.1\r\nhost: api.anthropic.com\r\nx-api-key: sk-ant-xxx\r\ncontent-type: application/json\r\n\r\n{\"model\":\"claude\",\"q\":\"café \\ \u0001 \u00ff\"}","truncated":false}""");

        var replay = await ReplayFileAsync(path, bootTime: Boot);

        var evt = Assert.Single(replay.Events);
        Assert.Equal(("ssl", 4242, 4250, "claude", BootNs + 86469533207690), (evt.Source, evt.Pid, evt.Tid, evt.Comm, evt.Timestamp));
        var tls = replay.Tls(0);
        byte[] expected =
        [
            .. "POST /v1/messages?beta=true HTTP/1.1\r\nhost: api.anthropic.com\r\nx-api-key: sk-ant-xxx\r\ncontent-type: application/json\r\n\r\n{\"model\":\"claude\",\"q\":\"café \\ "u8,
            0x01, (byte)' ', 0xff, (byte)'"', (byte)'}',
        ];
        Assert.Equal(expected, tls.Bytes.ToArray());
        Assert.Equal(156, tls.Length);
        Assert.Equal(tls.Length, tls.Bytes.Length);
        Assert.Equal(TlsDirection.Write, tls.Direction);
        Assert.Equal(1000u, tls.Uid);
        Assert.Equal(214_000, tls.LatencyNs);
    }

    [Fact]
    public async Task A_raw_sslsniff_line_from_a_C_locale_is_repaired_to_UTF8()
    {
        // Under LANG=C sslsniff escapes every byte of é on its own.
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder,
            """{"function":"READ/RECV","timestamp_ns":86469533207690,"comm":"python3","pid":7,"len":5,"uid":1000,"tid":7,"latency_ms":0,"is_handshake":false,"data":"caf\u00c3\u00a9","truncated":false}""");

        var replay = await ReplayFileAsync(path, bootTime: Boot);

        Assert.Equal("café", Encoding.UTF8.GetString(replay.Tls(0).Bytes.Span));
        Assert.Equal(0, replay.Tls(0).LatencyNs);
    }

    [Fact]
    public async Task Raw_sslsniff_handshakes_and_cut_reads_keep_their_flags()
    {
        using var folder = TempFolder.ForCaller();
        var captured = new string('A', 524_288);
        var path = WriteLines(folder,
            """{"function":"HANDSHAKE","timestamp_ns":86469533207690,"comm":"claude","pid":4242,"len":1,"uid":1000,"tid":4250,"latency_ms":5.123,"is_handshake":true,"data":null,"truncated":false}""",
            $$"""{"function":"READ/RECV","timestamp_ns":86469533300000,"comm":"claude","pid":4242,"len":600000,"uid":1000,"tid":4250,"latency_ms":1.5,"is_handshake":false,"data":"{{captured}}","truncated":true,"bytes_lost":75712}""");

        var replay = await ReplayFileAsync(path, bootTime: Boot);

        Assert.Equal(TlsDirection.Handshake, replay.Tls(0).Direction);
        Assert.False(replay.Tls(0).HasBytes);
        var cut = replay.Tls(1);
        Assert.Equal(524_288, cut.Bytes.Length);
        Assert.Equal(600_000, cut.Length);
        Assert.Equal(75_712, cut.BytesLost);
        Assert.True(cut.Truncated);
    }

    [Fact]
    public async Task Raw_process_lines_become_process_events_with_the_whole_line_as_data()
    {
        using var folder = TempFolder.ForCaller();
        string[] lines =
        [
            """{"timestamp":86470000000000,"event":"EXEC","comm":"claude","pid":5001,"ppid":4999,"filename":"/usr/bin/node"}""",
            """{"timestamp":86470200000000,"event":"FILE_OPEN","comm":"claude","pid":5001,"count":1,"filepath":"/home/u/.claude.json","flags":524288}""",
            """{"timestamp":86470300000000,"event":"BASH_READLINE","comm":"bash","pid":5002,"command":"ls -la"}""",
            """{"timestamp":86480000000000,"event":"EXIT","comm":"claude","pid":5001,"ppid":4999,"exit_code":0,"duration_ms":1234}""",
        ];
        var path = WriteLines(folder, lines);

        var replay = await ReplayFileAsync(path, bootTime: Boot);

        Assert.Equal(0, replay.BadLines);
        Assert.All(replay.Events, e => Assert.Equal("process", e.Source));
        Assert.Equal([5001, 5001, 5002, 5001], replay.Events.Select(e => e.Pid));
        Assert.Equal(["claude", "claude", "bash", "claude"], replay.Events.Select(e => e.Comm));
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(lines[i]), replay.Json(i).Fields), $"line {i + 1} data differs");
        }
        Assert.Equal(BootNs + 86480000000000, replay.Events[3].Timestamp);
    }

    [Fact]
    public async Task A_file_mixing_the_four_formats_replays_in_file_order()
    {
        using var folder = TempFolder.ForCaller();
        var path = WriteLines(folder,
            RunnerHarness.Line(Some.SslEvent("ours", timestamp: BootNs + 1_000)),
            """{"comm":"claude","data":{"comm":"claude","data":"collector","function":"READ/RECV","is_handshake":false,"latency_ms":0.1,"len":9,"pid":1,"tid":2,"timestamp_ns":2000,"truncated":false,"uid":0},"pid":1,"source":"ssl","timestamp":2000}""",
            """{"function":"READ/RECV","timestamp_ns":3000,"comm":"curl","pid":3,"len":8,"uid":0,"tid":3,"latency_ms":0,"is_handshake":false,"data":"sslsniff","truncated":false}""",
            """{"timestamp":4000,"event":"EXEC","comm":"bash","pid":4,"ppid":1,"filename":"/bin/bash"}""");

        var replay = await ReplayFileAsync(path, bootTime: Boot);

        Assert.Equal(0, replay.BadLines);
        Assert.Equal(["ssl", "ssl", "ssl", "process"], replay.Events.Select(e => e.Source));
        Assert.Equal(["ours", "collector", "sslsniff"], replay.Events.Take(3).Select(e => Encoding.UTF8.GetString(((TlsPayload)e.Data).Bytes.Span)));
        Assert.Equal([BootNs + 1_000, BootNs + 2_000, BootNs + 3_000, BootNs + 4_000], replay.Events.Select(e => e.Timestamp));
    }
}
