using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AgentSight.Contracts;
using AgentSight.Plugins.Web;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.WebUi;

public sealed class WebSinkTests
{
    private static async Task<(WebSink Sink, HttpClient Http)> StartAsync(WebSinkConfig? config = null, TextWriter? report = null)
    {
        config ??= new WebSinkConfig { Port = 0 };
        var sink = new WebSink(config, new TestStageContext { StageId = "web" }, TimeProvider.System, report ?? TextWriter.Null);
        await sink.StartAsync(CancellationToken.None);
        return (sink, WebUiAddress.Client(sink.LaunchAddress!));
    }

    [Fact]
    public async Task Serves_the_embedded_ui_and_the_session_as_json()
    {
        var (sink, http) = await StartAsync();
        await using (sink)
        using (http)
        {
            foreach (var evt in SessionEvents.AgentSession())
            {
                sink.Write(evt);
            }
            var index = await http.GetAsync(new Uri("/", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, index.StatusCode);
            Assert.Contains("<div id=\"app\">", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("no-cache", index.Headers.CacheControl?.ToString());

            using var overview = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/overview", UriKind.Relative)));
            Assert.Equal(2, overview.RootElement.GetProperty("llm").GetProperty("calls").GetInt32());
            Assert.Equal(2500, overview.RootElement.GetProperty("llm").GetProperty("input_tokens").GetInt32());

            using var events = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/events?source=llm&limit=1", UriKind.Relative)));
            Assert.Equal(2, events.RootElement.GetProperty("total").GetInt32());
            var seq = events.RootElement.GetProperty("items")[0].GetProperty("seq").GetInt64();
            using var detail = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/events/{seq}", UriKind.Relative)));
            Assert.Equal("overloaded_error", detail.RootElement.GetProperty("json").GetProperty("data").GetProperty("error.type").GetString());
            await sink.StopAsync(CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("/api/nothing")]
    [InlineData("/api/llm/99")]
    [InlineData("/api/events/notanumber")]
    [InlineData("/favicon.ico")]
    [InlineData("/etc/passwd")]
    public async Task Unknown_paths_are_404(string path)
    {
        var (sink, http) = await StartAsync();
        await using (sink)
        using (http)
        {
            var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_malformed_query_is_a_400_naming_the_parameter()
    {
        var (sink, http) = await StartAsync();
        await using (sink)
        using (http)
        {
            var response = await http.GetAsync(new Uri("/api/events?limit=lots", UriKind.Relative));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("limit must be an integer", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Another_host_name_is_refused_and_no_cors_header_is_sent()
    {
        var (sink, http) = await StartAsync();
        await using (sink)
        using (http)
        {
            using var rebinding = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/overview", UriKind.Relative));
            rebinding.Headers.Host = $"evil.example:{sink.Address!.Port}";
            Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(rebinding)).StatusCode);
            using var localhost = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/overview", UriKind.Relative));
            localhost.Headers.Host = $"localhost:{sink.Address!.Port}";
            var ok = await http.SendAsync(localhost);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.False(ok.Headers.Contains("Access-Control-Allow-Origin"));
        }
    }

    [Fact]
    public async Task Listens_on_loopback_only_by_default()
    {
        var (sink, http) = await StartAsync();
        await using (sink)
        using (http)
        {
            Assert.Equal("127.0.0.1", sink.Address!.Host);
            var outside = Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
            if (outside is not null)
            {
                using var client = new TcpClient();
                await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(outside, sink.Address.Port));
            }
        }
    }

    [Fact]
    public async Task A_port_in_use_is_one_clear_error()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var sink = new WebSink(new WebSinkConfig { Port = port }, new TestStageContext(), TimeProvider.System, TextWriter.Null);
        var error = await Assert.ThrowsAsync<IOException>(() => sink.StartAsync(CancellationToken.None).AsTask());
        Assert.Equal($"the web UI cannot listen on http://127.0.0.1:{port}/: the port is in use (choose another with --port N, or turn the UI off with --no-server)", error.Message);
        await sink.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_live_feed_pushes_new_events_to_a_connected_browser()
    {
        var (sink, http) = await StartAsync(new WebSinkConfig { Port = 0, LiveIntervalMs = 20 });
        await using (sink)
        using (http)
        {
            using var stream = await http.GetStreamAsync(new Uri("/api/live", UriKind.Relative));
            using var reader = new StreamReader(stream);
            sink.Write(SessionEvents.Exec(0, 7, 1, "probe", "probe-command"));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            string? line;
            var seen = false;
            while ((line = await reader.ReadLineAsync(timeout.Token)) is not null)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("probe-command", StringComparison.Ordinal))
                {
                    seen = true;
                    break;
                }
            }
            Assert.True(seen);
        }
    }

    [Fact]
    public async Task Without_a_server_it_prints_the_report_when_the_session_ends()
    {
        var output = new StringWriter();
        var sink = new WebSink(new WebSinkConfig { Server = false, Report = WebReportFormat.Text }, new TestStageContext(), TimeProvider.System, output);
        await sink.StartAsync(CancellationToken.None);
        Assert.Null(sink.Address);
        foreach (var evt in SessionEvents.AgentSession())
        {
            sink.Write(evt);
        }
        await sink.StopAsync(CancellationToken.None);
        var text = output.ToString();
        Assert.Contains("2 LLM calls, 2,500 tokens in, 200 out; 3 processes; 3 files (1 written); 0 lost or dropped", text, StringComparison.Ordinal);
        Assert.Matches(@"claude-opus-4-1-20250805\s+anthropic\s+2\s+1\s+2,500\s+200", text);
        Assert.Matches(@"300\s+200\s+npm\s+1\s", text);
        Assert.Contains("/proj/src/app.ts", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("host", "example.com")]
    [InlineData("port", "70000")]
    [InlineData("max_events", "10")]
    public void Invalid_settings_name_their_key(string key, string value)
    {
        var config = new WebSinkConfig();
        switch (key)
        {
            case "host":
                config.Host = value;
                break;
            case "port":
                config.Port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                config.MaxEvents = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
        }
        Assert.Equal(key, Assert.Single(config.Validate()).Key);
        Assert.Empty(new WebSinkConfig().Validate());
    }
}
