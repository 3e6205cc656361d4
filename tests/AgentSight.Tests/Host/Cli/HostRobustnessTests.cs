using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentSight.Contracts;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Integration;

/// <summary>
/// The host as a user runs it, where a plugin or an input misbehaves: what reaches the log, the exit code, and how
/// long a shutdown may take.
/// </summary>
public sealed class HostRobustnessTests
{
    private const string Secret = "sk-ant-api03-PLANTEDsecretPLANTEDsecret0123456789abcdefABCDEF-xyzAA";

    private static string[] Args(string plugins, string manifest, params string[] rest) => ["--plugins", plugins, "--manifest", manifest, .. rest];

    private static string Line(AgentEvent evt) => AgentEventJson.ToJson(evt);

    [Fact]
    public async Task A_stage_failing_before_redact_never_logs_the_event_content()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "probe-analyzer", "redact", "console");
        var manifest = Manifests.Write(temp,
            """{ "plugin": "probe-analyzer", "id": "acme", "config": { "fail_every": 1 } }""",
            """{ "plugin": "redact" }""",
            """{ "plugin": "console" }""");
        var recording = temp.Combine("secret.jsonl");
        File.WriteAllText(recording, Line(new AgentEvent(Some.Epoch, "test", 4242, 4242, "agent", new JsonPayload(new JsonObject
        {
            ["seq"] = 0,
            ["headers"] = new JsonObject { ["x-api-key"] = Secret },
        }))) + "\n");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", recording));

        Assert.True(code == 0, stderr);
        Assert.Contains("Stage acme (plugin probe-analyzer) failed while processing an event (failure 1); event: test event of pid 4242", stderr,
            StringComparison.Ordinal);
        Assert.Contains("fields seq (number), headers (object, 1 field)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sink_taken_out_makes_the_run_fail_with_a_line_naming_it_and_what_it_lost()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "redact", "null-sink", "console");
        // Each instance takes 5 events, then throws: three instances, then the sink is taken out.
        var manifest = Manifests.Write(temp,
            """{ "plugin": "redact" }""",
            """{ "plugin": "null-sink", "id": "archive", "max_failures": 3, "config": { "fail_after": 5 } }""",
            """{ "plugin": "console" }""");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", Recordings.Numbered(temp, 30)));

        Assert.Equal(1, code);
        Assert.Equal(30, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("Sink archive (plugin null-sink) failed: taken out after 3 failures (last error: IOException: planted failure: the null sink takes 5 events at most); "
            + "15 of the 30 events it received were not written", stderr, StringComparison.Ordinal);
        Assert.Contains("Failed: sink archive (plugin null-sink): taken out after 3 failures", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sink_that_fails_only_when_it_stops_makes_the_run_fail_with_a_line_naming_it_and_what_it_lost()
    {
        // /dev/full takes the open and refuses every write: the file sink holds its events and retries, and only its
        // stop, when it gives up on what it still holds, fails.
        var manifest = Path.Combine(Artifacts.RepoRoot, "plugins", "manifest.json");

        var (code, _, stderr) = await HostProcess.RunAsync(Args(Artifacts.PluginsDirectory, manifest, "replay", Artifacts.Sample("llm-session.jsonl"),
            "-q", "-o", "/dev/full"));

        Assert.True(code == 1, stderr);
        // Every event the sink received (the recording's and what the analyzers made of it) is named as lost.
        var failed = System.Text.RegularExpressions.Regex.Match(stderr,
            @"Failed: sink file \(plugin file\): its stop threw \(IOException: The file sink could not write (\d+) events to /dev/full \(No space left on device\)");
        Assert.True(failed.Success, stderr);
        var count = failed.Groups[1].Value;
        Assert.True(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) >= 40, stderr);
        Assert.Contains($"; {count} of the {count} events it received were not written", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("process", 15)]
    [InlineData("flush", 2)]
    public async Task A_stage_that_hangs_cannot_hold_a_first_signal_beyond_the_shutdown_bound(string hangIn, int signal)
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "probe-analyzer", "console");
        var manifest = Manifests.Write(temp,
            $$"""{ "plugin": "probe-analyzer", "id": "stuck", "config": { "hang_in": "{{hangIn}}" } }""",
            """{ "plugin": "console" }""");
        // 200 events 10 ms apart in real time: the replay is still running when the signal comes.
        var recording = Recordings.Numbered(temp, 200, spacingNs: 10_000_000);

        using var host = HostProcess.Start(Args(plugins, manifest, "replay", recording, "--speed", "1", "--shutdown-timeout", "2"));
        await host.WaitForStderrAsync(hangIn == "process" ? "probe: hanging in process" : "timestamps read as", TimeSpan.FromSeconds(30));
        var signalled = Stopwatch.StartNew();
        host.Signal(signal);
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, code);
        Assert.InRange(signalled.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        Assert.Matches($"Shutdown gave up after 2 s: stage stuck \\(plugin probe-analyzer\\) has not returned from {(hangIn == "process" ? "Process" : "Flush")}", host.Stderr);
        Assert.Matches(@"\d+ events? still queued (is|are) lost", host.Stderr);
    }

    [Fact]
    public async Task A_plugin_hanging_in_its_constructor_is_named_when_the_signal_cannot_end_the_run()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "probe-analyzer", "console");
        var manifest = Manifests.Write(temp,
            """{ "plugin": "probe-analyzer", "id": "stuck", "config": { "hang_in": "create" } }""",
            """{ "plugin": "console" }""");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("{ \"stages\"", "{ \"shutdown_timeout_s\": 1, \"stages\"", StringComparison.Ordinal));

        using var host = HostProcess.Start(Args(plugins, manifest, "replay", Recordings.Numbered(temp, 3)));
        await host.WaitForStderrAsync("probe: hanging in create", TimeSpan.FromSeconds(30));
        host.Signal(2);
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, code);
        Assert.Contains("Shutdown gave up after 1 s: stage stuck (plugin probe-analyzer) has not returned from Create", host.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1e9")]
    public async Task A_wrong_shutdown_timeout_is_one_line_and_exit_code_2(string value)
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console");
        var manifest = Manifests.Write(temp, """{ "plugin": "console" }""");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", Recordings.Numbered(temp, 1), "--shutdown-timeout", value));

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("--shutdown-timeout", stderr.Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_shutdown_timeout_in_the_manifest_is_reported_before_anything_starts()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console");
        var manifest = temp.Combine("manifest.json");
        File.WriteAllText(manifest, """{ "shutdown_timeout_s": "soon", "stages": [ { "plugin": "console" } ] }""");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", Recordings.Numbered(temp, 1)));

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("\"shutdown_timeout_s\" must be a number of seconds from 0 to 3600 (got \"soon\")", stderr, StringComparison.Ordinal);
    }

    /// <summary>The number of llm events in an NDJSON text.</summary>
    private static int LlmEvents(string ndjson) =>
        ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => JsonNode.Parse(l)!["source"]!.GetValue<string>() == EventSources.Llm);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Replaying_analyzed_output_counts_every_call_once(bool keepRaw)
    {
        using var temp = TempFolder.ForCaller();
        var manifest = Path.Combine(Artifacts.RepoRoot, "plugins", "manifest.json");
        var analyzed = temp.Combine("analyzed.jsonl");
        var first = await HostProcess.RunAsync(Args(Artifacts.PluginsDirectory, manifest, "replay", Artifacts.Sample("llm-session.jsonl"), "-q",
            "-o", analyzed, "--set", $"http.keep_raw={(keepRaw ? "true" : "false")}", "--no-summary"));
        Assert.True(first.ExitCode == 0, first.Stderr);
        var calls = LlmEvents(File.ReadAllText(analyzed));
        Assert.True(calls > 0);

        var again = await HostProcess.RunAsync(Args(Artifacts.PluginsDirectory, manifest, "replay", analyzed));
        var forced = await HostProcess.RunAsync(Args(Artifacts.PluginsDirectory, manifest, "replay", analyzed, "--analyze", "yes", "--no-summary"));

        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(calls, LlmEvents(again.Stdout));
        Assert.Contains("already holds analyzer output", again.Stderr, StringComparison.Ordinal);
        // The deriving stages are left out; the rest of the pipeline (redaction, filters, your own analyzers) runs.
        Assert.Matches(@"\n\s+\d+\s+http\s+http\s+analyzer\s+disabled", again.Stderr);
        Assert.Matches(@"\n\s+\d+\s+redact\s+redact\s+analyzer\s+stopped", again.Stderr);
        if (keepRaw)
        {
            // Analyzed again: the recorded calls are left out and rebuilt from the raw TLS events kept beside them.
            Assert.True(forced.ExitCode == 0, forced.Stderr);
            Assert.Equal(calls, LlmEvents(forced.Stdout));
            Assert.Contains("left out and rebuilt from its raw TLS events (--analyze yes)", forced.Stderr, StringComparison.Ordinal);
        }
        else
        {
            // Nothing to rebuild from: said at once, rather than a replay that silently loses every call.
            Assert.Equal(2, forced.ExitCode);
            Assert.Empty(forced.Stdout);
            Assert.Equal($"agentsight: --analyze yes: {analyzed} holds analyzer output but not the raw TLS events it was built from (it was recorded "
                + "without http.keep_raw), so there is nothing to analyze again; replay it without --analyze yes\n", forced.Stderr);
        }
    }

    [Fact]
    public async Task Replay_takes_analyze_auto_yes_or_no_only()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console");
        var manifest = Manifests.Write(temp, """{ "plugin": "console" }""");

        var (code, _, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", Recordings.Numbered(temp, 1), "--analyze", "maybe"));

        Assert.Equal(2, code);
        Assert.Contains("maybe", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_line_with_a_pid_that_does_not_fit_is_a_bad_line_not_a_wrapped_event()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console");
        var manifest = Manifests.Write(temp, """{ "plugin": "console" }""");
        var recording = temp.Combine("pids.jsonl");
        File.WriteAllText(recording, $$$"""
            {"timestamp":{{{Some.Epoch}}},"source":"test","pid":99999999999,"tid":1,"comm":"x","data":{}}
            {"timestamp":{{{Some.Epoch}}},"source":"ssl","pid":7,"tid":7,"comm":"x","data":{"len":3,"data":"abc"}}
            {"timestamp":{{{Some.Epoch}}},"source":"test","pid":7,"tid":7,"comm":"x","data":{}}

            """);

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", recording));

        Assert.Equal(0, code);
        Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("pids.jsonl:1: skipped bad line: \"pid\" 99999999999 is not a process id", stderr, StringComparison.Ordinal);
        Assert.Contains("pids.jsonl:2: skipped bad line: ssl \"data\" has no \"function\"", stderr, StringComparison.Ordinal);
        Assert.Matches(@"replay\s+1\s+bad_lines=2", stderr);
        Assert.DoesNotContain("1215752191", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_session_database_is_called_damaged_with_exit_code_1_and_no_report()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "session-store", "web");
        var db = temp.Combine("stored.db");
        var store = Manifests.Write(temp, $$"""{ "plugin": "session-store", "config": { "path": {{System.Text.Json.JsonSerializer.Serialize(db)}} } }""");
        var recorded = await HostProcess.RunAsync(Args(plugins, store, "replay", Recordings.Numbered(temp, 5_000), "--no-summary"));
        Assert.True(recorded.ExitCode == 0, recorded.Stderr);
        var full = new FileInfo(db).Length;
        using (var file = new FileStream(db, FileMode.Open))
        {
            file.SetLength(full / 2);
        }
        var reportManifest = Manifests.Write(temp, """{ "plugin": "web" }""");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, reportManifest, "report", db));
        var (serveCode, _, serveStderr) = await HostProcess.RunAsync(Args(plugins, reportManifest, "serve", db, "--port", "0"));

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.StartsWith($"agentsight: the session database is damaged: {db}:", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(1, serveCode);
        Assert.StartsWith($"agentsight: the session database is damaged: {db}:", serveStderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sqlite_file_that_is_not_a_session_is_one_line_and_exit_code_2()
    {
        using var temp = TempFolder.ForCaller();
        // The session-store plugin reads SQLite sessions (the host does not): it is the one that says what the file is not.
        var plugins = Artifacts.MakePluginsFolder(temp, "session-store", "web");
        var manifest = Manifests.Write(temp, """{ "plugin": "web" }""");
        var db = temp.Combine("other.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hello');";
            command.ExecuteNonQuery();
        }

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "report", db));

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Equal($"agentsight: {db} is a SQLite database but not a stored session (it has no schema_version in its meta table)\n", stderr);
    }

    [Fact]
    public async Task A_binary_file_no_installed_plugin_reads_is_one_line_and_exit_code_2()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "web");
        var manifest = Manifests.Write(temp, """{ "plugin": "web" }""");
        var db = temp.Combine("stored.db");
        File.WriteAllBytes(db, [.. "SQLite format 3\0"u8.ToArray(), .. new byte[100]]);

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "report", db));

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Equal($"agentsight: {db} is not NDJSON, and no installed plugin reads it as a stored session (installed: web)\n", stderr);
    }

    [Fact]
    public async Task A_session_reader_whose_pin_does_not_match_is_never_loaded()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "session-store", "web");
        var manifest = Manifests.Write(temp, $$"""{ "plugin": "session-store", "enabled": false, "sha256": "{{new string('0', 64)}}" }""", """{ "plugin": "web" }""");
        var db = temp.Combine("stored.db");
        File.WriteAllBytes(db, [.. "SQLite format 3\0"u8.ToArray(), .. new byte[100]]);

        var (code, _, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "report", db));

        Assert.Equal(2, code);
        Assert.Contains("no installed plugin reads it as a stored session (installed: session-store: refused: session-store.dll has SHA-256 ", stderr, StringComparison.Ordinal);
    }
}
