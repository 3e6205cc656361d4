using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Integration;

/// <summary>The real host process, started as a user would start it, with real plugins from the build.</summary>
public sealed class HostCliTests
{
    private static string[] Args(string plugins, string manifest, params string[] rest) => ["--plugins", plugins, "--manifest", manifest, .. rest];

    [Fact]
    public async Task Version_names_the_tool_and_its_contract_version()
    {
        var (code, stdout, _) = await HostProcess.RunAsync(["--version"]);

        Assert.Equal(0, code);
        Assert.Equal($"agentsight 0.1.0 (contracts {ContractVersion.Current})\n", stdout);
    }

    [Fact]
    public async Task Each_command_is_built_alone_by_its_own_name_and_help_still_lists_every_command()
    {
        // The command line builds only the command its first argument names (start-up): the table's name must be the
        // name the command answers to, or that command could not be run at all.
        var global = new AgentSight.Host.Cli.GlobalOptions();
        foreach (var (name, create) in AgentSight.Host.Cli.AgentSightCli.Commands)
        {
            Assert.Equal(name, create(global).Name);
        }

        var (code, stdout, _) = await HostProcess.RunAsync(["--help"]);
        var (recordCode, recordHelp, _) = await HostProcess.RunAsync(["record", "--help"]);

        Assert.Equal(0, code);
        Assert.Equal(12, AgentSight.Host.Cli.AgentSightCli.Commands.Length);
        Assert.All(AgentSight.Host.Cli.AgentSightCli.Commands, command => Assert.Contains($"\n  {command.Name} ", stdout, StringComparison.Ordinal));
        Assert.Equal(0, recordCode);
        Assert.Contains("agentsight record", recordHelp, StringComparison.Ordinal);
        Assert.Contains("--no-server", recordHelp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_arguments_get_a_clear_error_and_exit_code_2()
    {
        var (code, _, stderr) = await HostProcess.RunAsync(["replay"]);
        var (unknownCode, _, unknownStderr) = await HostProcess.RunAsync(["replya", "x"]);

        Assert.Equal(2, code);
        Assert.Contains("agentsight: Required argument 'FILE' missing for command: 'replay'", stderr, StringComparison.Ordinal);
        Assert.Equal(2, unknownCode);
        Assert.Contains("'replya'", unknownStderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_writes_pure_ndjson_on_stdout_and_logs_on_stderr()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console");
        var manifest = Manifests.Write(temp, """{ "plugin": "console" }""");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", Artifacts.Sample("llm-session.jsonl")));

        Assert.Equal(0, code);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(File.ReadLines(Artifacts.Sample("llm-session.jsonl")).Count(), lines.Length);
        Assert.All(lines, line => Assert.NotNull(JsonNode.Parse(line)!["timestamp"]));
        Assert.Contains("Pipeline summary", stderr, StringComparison.Ordinal);
        // What the run cost the machine, per event, beside the table.
        var cpu = System.Text.RegularExpressions.Regex.Match(stderr, @"Host CPU: (\d+\.\d\d) s \((\d+\.\d) us per event produced\)");
        Assert.True(cpu.Success, stderr);
        Assert.True(double.Parse(cpu.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) > 0);
        // Every event of our own format comes out exactly as it went in.
        Assert.Equal(File.ReadAllLines(Artifacts.Sample("llm-session.jsonl")), lines);
    }

    [Fact]
    public async Task The_manifest_orders_enables_and_disables_stages_without_a_rebuild()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "probe-analyzer");
        var recording = Recordings.Numbered(temp, 3);
        async Task<string> TagsWith(params string[] stages)
        {
            var manifest = Manifests.Write(temp, stages);
            var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", recording, "--no-summary"));
            Assert.True(code == 0, stderr);
            var tags = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => string.Join("", JsonNode.Parse(l)!["data"]!["tags"]?.AsArray().Select(t => t!.GetValue<string>()) ?? []))
                .Distinct().ToList();
            return Assert.Single(tags);
        }

        var ab = await TagsWith("""{ "plugin": "probe-analyzer", "id": "a", "config": { "tag": "a" } }""",
            """{ "plugin": "probe-analyzer", "id": "b", "config": { "tag": "b" } }""", """{ "plugin": "console" }""");
        var ba = await TagsWith("""{ "plugin": "probe-analyzer", "id": "b", "config": { "tag": "b" } }""",
            """{ "plugin": "probe-analyzer", "id": "a", "config": { "tag": "a" } }""", """{ "plugin": "console" }""");
        var onlyB = await TagsWith("""{ "plugin": "probe-analyzer", "id": "a", "enabled": false, "config": { "tag": "a" } }""",
            """{ "plugin": "probe-analyzer", "id": "b", "config": { "tag": "b" } }""", """{ "plugin": "console" }""");

        Assert.Equal(("ab", "ba", "b"), (ab, ba, onlyB));
    }

    [Fact]
    public async Task Command_line_overrides_change_the_pipeline_for_one_run()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "file");
        var manifest = Manifests.Write(temp, """{ "plugin": "console" }""", """{ "plugin": "file", "enabled": false }""");
        var recording = Recordings.Numbered(temp, 25);
        var output = temp.Combine("out", "events.jsonl");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", recording, "-q", "-o", output));

        Assert.True(code == 0, stderr);
        Assert.Empty(stdout);
        Assert.Equal(Enumerable.Range(0, 25), Recordings.Sequence(File.ReadAllText(output)));
    }

    [Fact]
    public async Task A_manifest_with_mistakes_is_reported_in_full_and_nothing_is_touched()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "file", "future-contract");
        var output = temp.Combine("must-not-exist.jsonl");
        var manifest = Manifests.Write(temp,
            $$"""{ "plugin": "file", "config": { "path": "{{output}}", "max_files": 0 } }""",
            """{ "plugin": "consol" }""",
            """{ "plugin": "future-contract" }""",
            """{ "plugin": "console", "backpressure": "sometimes" }""");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", Artifacts.Sample("llm-session.jsonl")));

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.False(File.Exists(output));
        Assert.Contains($"{manifest}: stage 1 (\"file\"): config.max_files: must be between 1 and", stderr, StringComparison.Ordinal);
        Assert.Contains($"{manifest}: stage 2 (\"consol\"): unknown plugin \"consol\" (did you mean \"console\"?)", stderr, StringComparison.Ordinal);
        Assert.Contains($"{manifest}: stage 4 (\"console\"): \"backpressure\" must be one of", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plugin_built_for_another_contract_major_is_refused_by_name()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "future-contract");
        var manifest = Manifests.Write(temp, """{ "plugin": "future-contract" }""", """{ "plugin": "console" }""");

        var (code, _, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", Artifacts.Sample("llm-session.jsonl")));

        Assert.Equal(2, code);
        Assert.Contains($"stage 1 (\"future-contract\"): plugin \"future-contract\" cannot be used: incompatible: built for contracts 3.0, this host provides {AgentSight.Contracts.ContractVersion.Current}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plugins_list_shows_name_version_kind_enabled_position_and_status()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "file", "probe-analyzer", "future-contract");
        var manifest = Manifests.Write(temp, """{ "plugin": "probe-analyzer" }""", """{ "plugin": "console" }""",
            """{ "plugin": "file", "enabled": false }""");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "plugins", "list"));
        var (jsonCode, json, _) = await HostProcess.RunAsync(Args(plugins, manifest, "plugins", "list", "--json"));

        Assert.True(code == 0, stderr);
        var rows = stdout.Split('\n').Where(l => l.Length > 0).ToList();
        Assert.Matches(@"^NAME\s+VERSION\s+KIND\s+ENABLED\s+POSITION\s+STATUS\s+ROLES\s+DESCRIPTION$", rows.Single(r => r.StartsWith("NAME", StringComparison.Ordinal)));
        Assert.Matches(@"^probe-analyzer\s+0\.1\.0\s+analyzer\s+yes\s+1\s+loaded\s+", rows.Single(r => r.StartsWith("probe-analyzer", StringComparison.Ordinal)));
        Assert.Matches(@"^console\s+0\.1\.0\s+sink\s+yes\s+2\s+loaded\s+", rows.Single(r => r.StartsWith("console", StringComparison.Ordinal)));
        Assert.Matches(@"^file\s+0\.1\.0\s+sink\s+no\s+3\s+loaded\s+event-file\s+Writes events", rows.Single(r => r.StartsWith("file", StringComparison.Ordinal)));
        Assert.Matches(@"^future-contract\s+-\s+-\s+no \(not in manifest\)\s+-\s+incompatible: built for contracts 3\.0", rows.Single(r => r.StartsWith("future-contract", StringComparison.Ordinal)));

        Assert.Equal(0, jsonCode);
        var list = JsonNode.Parse(json)!["plugins"]!.AsArray();
        var console = list.Single(p => p!["name"]!.GetValue<string>() == "console")!;
        Assert.Equal(("sink", true, 2, "loaded"), (console["kind"]!.GetValue<string>(), console["enabled"]!.GetValue<bool>(),
            console["positions"]![0]!.GetValue<int>(), console["status"]!.GetValue<string>()));
        Assert.Equal(["console"], console["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        var future = list.Single(p => p!["name"]!.GetValue<string>() == "future-contract")!;
        Assert.Equal("incompatible", future["status"]!.GetValue<string>());
        Assert.StartsWith("built for contracts 3.0", future["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_plugins_using_two_majors_of_one_library_both_work_in_one_host_process()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "json12-analyzer", "json13-analyzer");
        var manifest = Manifests.Write(temp, """{ "plugin": "json12-analyzer" }""", """{ "plugin": "json13-analyzer" }""", """{ "plugin": "console" }""");
        var recording = Recordings.Numbered(temp, 5);

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", recording, "--no-summary"));

        Assert.True(code == 0, stderr);
        var events = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!["data"]!).ToList();
        Assert.Equal(5, events.Count);
        Assert.All(events, data =>
        {
            Assert.Equal("""{"version":"12.0.0.0"}""", data["newtonsoft_12"]!.GetValue<string>());
            Assert.Equal("""{"version":"13.0.0.0"}""", data["newtonsoft_13"]!.GetValue<string>());
        });
    }

    [Fact]
    public async Task A_plugin_that_throws_on_some_events_leaves_every_other_stage_whole()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "file", "probe-analyzer");
        var output = temp.Combine("events.jsonl");
        var manifest = Manifests.Write(temp,
            """{ "plugin": "probe-analyzer", "id": "flaky", "max_failures": 0, "config": { "fail_every": 7 } }""",
            """{ "plugin": "probe-analyzer", "id": "tagger", "config": { "tag": "after" } }""",
            $$"""{ "plugin": "file", "config": { "path": "{{output}}" } }""");
        var recording = Recordings.Numbered(temp, 100);

        var (code, _, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", recording));

        Assert.True(code == 0, stderr);
        var lines = File.ReadAllLines(output);
        Assert.Equal(Enumerable.Range(0, 100), Recordings.Sequence(string.Join('\n', lines)));
        Assert.All(lines, l => Assert.Contains("\"tags\":[\"after\"]", l, StringComparison.Ordinal));
        // 0, 7, …, 98: fifteen failures, each logged with the stage, its plugin and the event that caused it. No redact
        // stage runs before it, so the event is told by its shape (source, process, time, field names), not its content.
        Assert.Contains("Stage flaky (plugin probe-analyzer) failed while processing an event (failure 1); event: seq event of pid 100 (tid 100, comm \"agent\") at ",
            stderr, StringComparison.Ordinal);
        Assert.Contains(": fields seq (number)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("{\"seq\":", stderr, StringComparison.Ordinal);
        Assert.Matches(@"\n\s+1\s+flaky\s+probe-analyzer\s+analyzer\s+stopped\s+100\s+100\s+0\s+15\s+15\s", stderr);
    }

    [Fact]
    public async Task Bad_lines_are_counted_and_reported_with_their_line_numbers_and_the_rest_goes_on()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console");
        var manifest = Manifests.Write(temp, """{ "plugin": "console" }""");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", Artifacts.Sample("original/process.jsonl")));

        Assert.Equal(0, code);
        var total = File.ReadLines(Artifacts.Sample("original/process.jsonl")).Count(l => l.Trim().Length > 0);
        Assert.Equal(total - 1, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("process.jsonl:2", stderr, StringComparison.Ordinal);
        Assert.Matches(@"replay\s+\d+\s+bad_lines=1", stderr);
    }

    [Fact]
    public async Task Sigint_during_a_replay_drains_every_event_already_read_into_the_output_file()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "file");
        var output = temp.Combine("events.jsonl");
        var manifest = Manifests.Write(temp, $$"""{ "plugin": "file", "config": { "path": "{{output}}" } }""");
        // 20 000 events 1 ms apart, replayed in real time: 20 s, interrupted after about one.
        var recording = Recordings.Numbered(temp, 20_000, spacingNs: 1_000_000);

        using var host = HostProcess.Start(Args(plugins, manifest, "replay", recording, "--speed", "1"));
        await host.WaitForStderrAsync("timestamps read as", TimeSpan.FromSeconds(30));
        await Task.Delay(1000);
        host.Signal(2);
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(code == 0, host.Stderr);
        var produced = int.Parse(System.Text.RegularExpressions.Regex.Match(host.Stderr, @"\n\s+replay\s+([\d,]+)").Groups[1].Value.Replace(",", ""),
            System.Globalization.CultureInfo.InvariantCulture);
        var written = Recordings.Sequence(File.ReadAllText(output));
        Assert.InRange(produced, 1, 19_999);
        Assert.Equal(Enumerable.Range(0, produced), written);
        Assert.Contains("SIGINT received", host.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Synthetic_traffic_goes_through_the_pipeline()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console");
        var manifest = Manifests.Write(temp, """{ "plugin": "console" }""");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "synthetic", "--count", "3", "--interval", "0", "--seed", "7"));
        var (_, again, _) = await HostProcess.RunAsync(Args(plugins, manifest, "synthetic", "--count", "3", "--interval", "0", "--seed", "7",
            "--start-time", "2026-11-24T10:00:00Z"));

        Assert.True(code == 0, stderr);
        var events = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Contains(events, e => e["data"]!["function"]!.GetValue<string>() == "WRITE/SEND"
            && e["data"]!["data"]!.GetValue<string>().StartsWith("POST /", StringComparison.Ordinal));
        Assert.Contains(events, e => e["data"]!["function"]!.GetValue<string>() == "READ/RECV");
        Assert.StartsWith("{\"timestamp\":17955144000", again, StringComparison.Ordinal);
    }
}
