using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AgentSight.Contracts;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.WebUi;

/// <summary>`serve` and `report` as a user runs them: the real host, its plugins, a recorded session.</summary>
public sealed partial class ServeAndReportCommandTests
{
    private static string Recording(TempFolder folder)
    {
        var path = folder.Combine("session.jsonl");
        File.WriteAllLines(path, SessionEvents.AgentSession().Select(AgentEventJson.ToJson));
        return path;
    }

    [Fact]
    public async Task Serve_prints_the_address_and_serves_the_session_until_ctrl_c()
    {
        using var folder = TempFolder.ForCaller();
        using var host = HostProcess.Start(["serve", Recording(folder), "--port", "0"]);
        await host.WaitForStderrAsync("serving until Ctrl+C", TimeSpan.FromSeconds(60));
        using var http = WebUiAddress.Client(host.Stderr);
        using var overview = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/overview", UriKind.Relative)));
        Assert.Equal(2, overview.RootElement.GetProperty("llm").GetProperty("calls").GetInt32());
        Assert.Equal("", host.Stdout);

        host.Signal(2);
        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(new Uri("/api/overview", UriKind.Relative)));
    }

    [Fact]
    public async Task A_port_in_use_stops_serve_with_one_line_and_exit_code_1()
    {
        using var folder = TempFolder.ForCaller();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (code, _, stderr) = await HostProcess.RunAsync(["serve", Recording(folder), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("port is in use", StringComparison.Ordinal));
        Assert.Contains($"cannot listen on http://127.0.0.1:{port}/", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_sums_up_an_ndjson_recording_and_a_stored_session_alike()
    {
        using var folder = TempFolder.ForCaller();
        var recording = Recording(folder);
        var db = folder.Combine("stored.db");
        var store = await HostProcess.RunAsync(["--manifest", SessionEvents.StoreOnlyManifest(folder, db), "replay", recording, "--no-summary"]);
        Assert.Equal(0, store.ExitCode);

        foreach (var session in new[] { recording, db })
        {
            var (code, stdout, stderr) = await HostProcess.RunAsync(["report", session, "--json"]);
            Assert.True(code == 0, stderr);
            using var report = JsonDocument.Parse(stdout);
            var overview = report.RootElement.GetProperty("overview");
            Assert.Equal(2, overview.GetProperty("llm").GetProperty("calls").GetInt32());
            Assert.Equal(200, overview.GetProperty("llm").GetProperty("output_tokens").GetInt32());
            Assert.Equal(3, report.RootElement.GetProperty("processes").GetArrayLength());
            Assert.Equal("/proj/src/app.ts", overview.GetProperty("files_written")[0].GetProperty("path").GetString());
            Assert.Equal(2000, report.RootElement.GetProperty("slowest_calls")[0].GetProperty("duration_ms").GetDouble());
        }
    }

    [Fact]
    public async Task Report_of_a_stored_session_shows_the_losses_of_the_run_that_recorded_it()
    {
        using var folder = TempFolder.ForCaller();
        var recording = Recording(folder);
        File.AppendAllText(recording, "{\"not an event\n");
        var db = folder.Combine("stored.db");
        Assert.Equal(0, (await HostProcess.RunAsync(["--manifest", SessionEvents.StoreOnlyManifest(folder, db), "replay", recording, "--no-summary"])).ExitCode);

        var (code, stdout, _) = await HostProcess.RunAsync(["report", db]);
        Assert.Equal(0, code);
        Assert.Matches(@"Drops\n\s+WHERE\s+KIND\s+COUNTER\s+COUNT\n\s+recorded: replay\s+source\s+bad_lines\s+1\n", stdout);
    }

    [Theory]
    [InlineData("auto", false)]
    [InlineData("yes", true)]
    public async Task An_analyzed_recording_is_not_analyzed_again_but_fail_closed_stages_always_run(string analyze, bool analyzedAgain)
    {
        using var folder = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(folder, "web", "probe-analyzer");
        var manifest = Manifests.Write(folder,
            """{ "plugin": "probe-analyzer", "id": "deriver", "config": { "tag": "derived" } }""",
            """{ "plugin": "probe-analyzer", "id": "redactor", "on_error": "drop", "config": { "tag": "redacted" } }""",
            """{ "plugin": "web" }""");
        using var host = HostProcess.Start(["--plugins", plugins, "--manifest", manifest, "serve", Recording(folder), "--port", "0", "--analyze", analyze]);
        await host.WaitForStderrAsync("serving until Ctrl+C", TimeSpan.FromSeconds(60));
        using var http = WebUiAddress.Client(host.Stderr);
        async Task<int> Matching(string text)
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/events?q={text}", UriKind.Relative)));
            return page.RootElement.GetProperty("total").GetInt32();
        }

        var events = SessionEvents.AgentSession().Count;
        Assert.Equal(events, await Matching("redacted"));
        Assert.Equal(analyzedAgain ? events : 0, await Matching("derived"));
        host.Signal(2);
        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Serve_and_report_refuse_what_is_not_a_session_with_one_line()
    {
        using var folder = TempFolder.ForCaller();
        var (code, _, stderr) = await HostProcess.RunAsync(["report", folder.Path]);
        Assert.Equal(2, code);
        Assert.Equal($"agentsight: {folder.Path} is a directory; give a session file (.jsonl or .db)\n", stderr);
    }
}
