using System.Text;
using System.Text.Json;
using AgentSight.Contracts;
using AgentSight.Plugins.Web;
using AgentSight.Plugins.Web.Session;
using AgentSight.Tests.Support;
using static AgentSight.Tests.WebUi.SessionEvents;

namespace AgentSight.Tests.WebUi;

/// <summary>The <c>network</c> events in the Overview, the event log, the API and the report.</summary>
public sealed class NetworkViewTests
{
    private static readonly PipelineView NoPipeline = new(null, [], [], null);

    private const string GnuTlsLine =
        "2 TLS connections were not seen: gnutls-cli 300 (/usr/bin/gnutls-cli) to api.x.com, api.y.com: " + GnuTlsReason;

    private static SessionIndex Index(IEnumerable<AgentEvent> events)
    {
        var index = new SessionIndex(10_000);
        foreach (var evt in events)
        {
            index.Add(evt, Encoding.UTF8.GetBytes(AgentEventJson.ToJson(evt)), receivedAtMs: 1);
        }
        return index;
    }

    [Fact]
    public void The_overview_lists_the_hosts_each_process_talked_to_with_counts_failures_and_unseen_tls()
    {
        using var index = Index(NetworkSession());
        var network = index.Overview(NoPipeline, "web").Network;

        Assert.Equal(5, network.Hosts);
        Assert.Equal(6, network.Connections);
        Assert.Equal(1, network.FailedConnects);
        Assert.Equal(4, network.Tls);
        Assert.Equal(2, network.Unseen);
        Assert.Equal([200, 300], network.Processes.Select(p => p.Pid));

        var claude = network.Processes[0];
        Assert.Equal(("claude", "/usr/bin/claude"), (claude.Comm, claude.Executable));
        Assert.Equal(["api.anthropic.com", "/run/x.sock", "127.0.0.1:9"], claude.Hosts.Select(h => h.Host));
        var api = claude.Hosts[0];
        // The two connects joined their hellos: two connections, not four.
        Assert.Equal((2L, 2L, 0L, 2L, 0L), (api.Connections, api.Connects, api.FailedConnects, api.Tls, api.Unseen));
        Assert.Equal(["127.0.0.1:8443"], api.Addresses);
        Assert.Equal(["h2", "http/1.1"], api.Alpn);
        var refused = claude.Hosts[2];
        Assert.Equal(1, refused.FailedConnects);
        Assert.Equal(["ECONNREFUSED"], refused.Errors);
        Assert.Equal(0, refused.Tls);

        var cli = network.Processes[1];
        Assert.Equal(("gnutls-cli", "/usr/bin/gnutls-cli"), (cli.Comm, cli.Executable));
        Assert.Equal(["api.x.com", "api.y.com"], cli.Hosts.Select(h => h.Host));
        Assert.All(cli.Hosts, h => Assert.Equal((1L, 1L, 1L), (h.Connections, h.Tls, h.Unseen)));
        Assert.Equal(["[::1]:443"], cli.Hosts[0].Addresses);
    }

    [Fact]
    public void Unseen_tls_gives_one_warning_line_per_process_and_reason_naming_the_binary_the_hosts_and_why()
    {
        using var index = Index(NetworkSession());
        var warning = Assert.Single(index.Overview(NoPipeline, "web").Network.Warnings);
        Assert.Equal(GnuTlsLine, warning.Text);
        Assert.Equal(300, warning.Pid);
        Assert.Equal(("gnutls-cli", "/usr/bin/gnutls-cli", GnuTlsReason, 2L), (warning.Comm, warning.Binary, warning.Reason, warning.Connections));
        Assert.Equal(["api.x.com", "api.y.com"], warning.Hosts);
        // The link goes to the first TLS_UNSEEN event.
        Assert.Equal("TLS_UNSEEN", index.Event(warning.FirstSeq!.Value)!.Json.GetProperty("data").GetProperty("event").GetString());
    }

    [Fact]
    public void Another_reason_or_process_is_another_line_and_a_process_without_exec_is_named_by_the_report_s_binary()
    {
        using var index = Index([
            .. NetworkSession(),
            TlsUnseen(5, 300, "gnutls-cli", 9, "api.z.com", null, "/usr/bin/gnutls-cli", null, "no probe could be placed"),
            TlsUnseen(6, 4000, "claude", 5, "api.anthropic.com", "160.79.104.10:443", "/home/dev/.local/bin/claude", "Bun 1.4.6",
                "BoringSSL in Bun 1.4.6 was not found"),
        ]);
        var network = index.Overview(NoPipeline, "web").Network;
        Assert.Equal([GnuTlsLine,
            "1 TLS connection was not seen: gnutls-cli 300 (/usr/bin/gnutls-cli) to api.z.com: no probe could be placed",
            "1 TLS connection was not seen: claude 4000 (/home/dev/.local/bin/claude, Bun 1.4.6) to api.anthropic.com: BoringSSL in Bun 1.4.6 was not found"],
            network.Warnings.Select(w => w.Text));
        Assert.Equal("/home/dev/.local/bin/claude", network.Processes.Single(p => p.Pid == 4000).Executable);
    }

    [Fact]
    public void A_session_without_unseen_tls_has_no_warning_at_all()
    {
        using var index = Index([.. AgentSession(), .. NetworkSession(unseen: false)]);
        var network = index.Overview(NoPipeline, "web").Network;
        Assert.Empty(network.Warnings);
        Assert.Equal(0, network.Unseen);
        Assert.NotEmpty(network.Processes);

        using var quiet = Index(AgentSession());
        Assert.Empty(quiet.Overview(NoPipeline, "web").Network.Warnings);
        Assert.Empty(quiet.Overview(NoPipeline, "web").Network.Processes);
    }

    [Fact]
    public void The_capture_s_counter_alone_still_warns_when_the_session_has_no_network_events()
    {
        var counted = new PipelineView(null, [new SourceRow("ssl", 10, new Dictionary<string, long> { [SessionIndex.UnseenCounter] = 3 })], [], null);
        using var withoutEvents = Index(AgentSession());
        var warning = Assert.Single(withoutEvents.Overview(counted, "web").Network.Warnings);
        Assert.Null(warning.Pid);
        Assert.StartsWith("3 TLS connections were not seen (counted by the capture;", warning.Text, StringComparison.Ordinal);
        Assert.Equal(3, withoutEvents.Overview(counted, "web").Network.UnseenCounted);

        // With network events, they say it better: no second line from the counter.
        using var withEvents = Index(NetworkSession());
        Assert.Equal([GnuTlsLine], withEvents.Overview(counted, "web").Network.Warnings.Select(w => w.Text));
    }

    [Fact]
    public void Network_events_read_as_one_line_in_the_event_log_and_filter_by_source()
    {
        using var index = Index(NetworkSession());
        var filter = new EventFilter();
        filter.Sources.Add(EventSources.Network);
        var page = index.Events(filter, null, 100);
        Assert.Equal(NetworkSession().Count(e => e.Source == EventSources.Network), page.Total);
        Assert.Equal([
            "CONNECT 127.0.0.1:8443 ok",
            "TLS api.anthropic.com (h2, http/1.1)",
            "CONNECT /run/x.sock ok",
            "CONNECT 127.0.0.1:9 error: ECONNREFUSED",
            "CONNECT 127.0.0.1:8443 in progress",
            "TLS api.anthropic.com (h2, http/1.1)",
            "CONNECT [::1]:443 ok",
            "TLS api.x.com",
            "CONNECT 10.0.0.5:443 ok",
            "TLS api.y.com",
            $"TLS UNSEEN api.x.com: {GnuTlsReason}",
            $"TLS UNSEEN api.y.com: {GnuTlsReason}",
        ], page.Items.Reverse().Select(r => r.Summary));
    }

    [Fact]
    public void Network_events_are_network_marks_on_their_process_s_timeline_lane()
    {
        using var index = Index(NetworkSession());
        var lane = index.Timeline(null, null, 50).Lanes.Single(l => l.Pid == 300);
        // Columns: bin, process, file, network, llm, other.
        Assert.Equal(NetworkSession().Count(e => e.Pid == 300 && e.Source == EventSources.Network), lane.Bins.Sum(b => b[3]));
    }

    [Fact]
    public void The_api_lists_connections_by_process_host_and_unseen_and_a_process_detail_has_its_own()
    {
        using var index = Index(NetworkSession());
        var all = index.Connections(null, null, null, 0, 100);
        Assert.Equal(6, all.Total);
        var unseen = index.Connections(null, null, true, 0, 100).Items;
        Assert.Equal(["api.x.com", "api.y.com"], unseen.Select(c => c.Host));
        Assert.All(unseen, c => Assert.Equal((true, GnuTlsReason, "/usr/bin/gnutls-cli"), (c.Tls, c.Reason, c.Binary)));
        var x = unseen[0];
        Assert.Equal(("ipv6", "::1"), (x.Family, x.Address));
        Assert.Equal((443L, 3L), (x.Port!.Value, x.Fd!.Value));
        Assert.NotNull(x.ConnectSeq);
        Assert.NotNull(x.HelloSeq);
        Assert.Equal(2, index.Connections(null, "API.ANTHROPIC.COM", null, 0, 100).Total);

        var claude = index.Processes().Items.Single(p => p.Pid == 200);
        var detail = index.Process(claude.Id)!;
        Assert.Equal(4, detail.Connections.Count);
        Assert.Equal(4, index.Connections(claude.Id, null, null, 0, 100).Total);
    }

    [Fact]
    public async Task The_report_has_a_network_part_with_hosts_per_process_and_the_unseen_tls_with_its_reason()
    {
        var text = await ReportAsync(NetworkSession(), WebReportFormat.Text);
        Assert.Contains("         2 TLS connections were not seen by any probe: see Network\n", text, StringComparison.Ordinal);
        Assert.Matches(@"\nNetwork\n\s+PID\s+COMM\s+EXECUTABLE\s+HOST\s+CONNECTIONS\s+FAILED\s+TLS\s+UNSEEN\s+NOTES\n", text);
        Assert.Matches(@"\n\s+200\s+claude\s+/usr/bin/claude\s+api\.anthropic\.com\s+2\s+0\s+2\s+0\s+at 127\.0\.0\.1:8443; alpn h2, http/1\.1\n", text);
        Assert.Matches(@"\n\s+127\.0\.0\.1:9\s+1\s+1\s+0\s+0\s+failed: ECONNREFUSED\n", text);
        Assert.Matches(@"\n\s+300\s+gnutls-cli\s+/usr/bin/gnutls-cli\s+api\.x\.com\s+1\s+0\s+1\s+1\s+at \[::1\]:443\n", text);
        Assert.Contains($"  ! {GnuTlsLine}\n", text, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(await ReportAsync(NetworkSession(), WebReportFormat.Json));
        var network = json.RootElement.GetProperty("overview").GetProperty("network");
        Assert.Equal(GnuTlsLine, network.GetProperty("warnings")[0].GetProperty("text").GetString());
        Assert.Equal(GnuTlsReason, network.GetProperty("warnings")[0].GetProperty("reason").GetString());
        Assert.Equal("api.anthropic.com", network.GetProperty("processes")[0].GetProperty("hosts")[0].GetProperty("host").GetString());
        Assert.Equal(2, network.GetProperty("processes")[0].GetProperty("hosts")[0].GetProperty("tls").GetInt32());
    }

    [Fact]
    public async Task A_report_without_unseen_tls_says_nothing_of_it()
    {
        var text = await ReportAsync(NetworkSession(unseen: false), WebReportFormat.Text);
        Assert.Contains("\nNetwork\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("not seen", text, StringComparison.Ordinal);
        Assert.DoesNotContain("!", text, StringComparison.Ordinal);

        var none = await ReportAsync(AgentSession(), WebReportFormat.Text);
        Assert.Contains("\nNetwork\n  none\n", none, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await ReportAsync(AgentSession(), WebReportFormat.Json));
        Assert.Equal(0, json.RootElement.GetProperty("overview").GetProperty("network").GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public async Task The_overview_and_network_api_serve_the_same_figures()
    {
        var sink = new WebSink(new WebSinkConfig { Port = 0 }, new TestStageContext { StageId = "web" }, TimeProvider.System, TextWriter.Null);
        await sink.StartAsync(CancellationToken.None);
        await using (sink)
        using (var http = WebUiAddress.Client(sink.LaunchAddress!))
        {
            foreach (var evt in NetworkSession())
            {
                sink.Write(evt);
            }
            using var overview = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/overview", UriKind.Relative)));
            var warnings = overview.RootElement.GetProperty("network").GetProperty("warnings");
            Assert.Equal(GnuTlsLine, Assert.Single(warnings.EnumerateArray()).GetProperty("text").GetString());
            using var unseen = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/network?unseen=true", UriKind.Relative)));
            Assert.Equal(2, unseen.RootElement.GetProperty("total").GetInt32());
            Assert.Equal(GnuTlsReason, unseen.RootElement.GetProperty("items")[0].GetProperty("reason").GetString());
            var bad = await http.GetAsync(new Uri("/api/network?unseen=maybe", UriKind.Relative));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
            await sink.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<string> ReportAsync(IEnumerable<AgentEvent> events, WebReportFormat format)
    {
        var output = new StringWriter();
        var sink = new WebSink(new WebSinkConfig { Server = false, Report = format }, new TestStageContext(), TimeProvider.System, output);
        await sink.StartAsync(CancellationToken.None);
        foreach (var evt in events)
        {
            sink.Write(evt);
        }
        await sink.StopAsync(CancellationToken.None);
        await sink.DisposeAsync();
        return output.ToString();
    }
}
