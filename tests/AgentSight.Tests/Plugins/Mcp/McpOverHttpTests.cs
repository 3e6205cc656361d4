using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using AgentSight.Plugins.Http;
using AgentSight.Plugins.Llm;
using AgentSight.Plugins.Mcp;
using AgentSight.Plugins.Sse;
using AgentSight.Tests.Analyzers.Http2.Wire;
using AgentSight.Tests.Analyzers.Support;

namespace AgentSight.Tests.Analyzers.Mcp;

/// <summary>
/// The streamable HTTP transport of server-everything on 127.0.0.1, driven by the official SDK's client through a
/// recording relay: the plaintext both ways goes through the default chain's http, mcp, sse and llm stages.
/// </summary>
public sealed class McpOverHttpTests
{
    [Fact]
    public async Task Each_request_posted_to_a_streamable_HTTP_server_is_one_mcp_event_with_its_session_and_answer()
    {
        await McpPackages.EnsureInstalledAsync();
        await using var server = await EverythingOverHttp.StartAsync();
        await using var relay = RecordingRelay.Start(server.Port);
        var calls = new JsonArray(
            new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = "over http" } },
            new JsonObject { ["name"] = "no-such-tool", ["arguments"] = new JsonObject() });

        var client = await McpPackages.RunHttpAsync($"{relay.Url}/mcp", calls);
        var events = await relay.EventsAsync();

        var chain = new AnalyzerChain()
            .Add("http", ctx => new HttpAnalyzerFactory().Create(new HttpAnalyzerConfig(), ctx))
            .Add("mcp", ctx => new McpAnalyzerFactory().Create(new McpAnalyzerConfig(), ctx))
            .Add("sse", ctx => new SseAnalyzerFactory().Create(new SseAnalyzerConfig(), ctx))
            .Add("llm", ctx => new LlmAnalyzerFactory().Create(new LlmAnalyzerConfig(), ctx))
            .Run(events);

        var mcp = chain.OfSource("mcp").Select(e => e.Fields!).ToList();
        var because = string.Join('\n', mcp.Select(c => c.ToJsonString()));
        var requests = mcp.Where(c => (string?)c["kind"] == "request").ToList();
        Assert.Equal(["initialize", "tools/list", "tools/call", "tools/call", "prompts/get"], requests.Select(c => (string?)c["mcp.method.name"]));
        var session = (string?)client["session"];
        Assert.NotNull(session);
        Assert.All(requests, c =>
        {
            Assert.Equal("http", (string?)c["transport"]);
            Assert.True((bool)c["complete"]!, because);
            Assert.Equal(session, (string?)c["mcp.session.id"]);
            Assert.Equal("mcp-servers/everything", (string?)c["server"]!["name"]);
            Assert.Equal($"127.0.0.1:{relay.Port}/mcp", (string?)c["url"]);
            Assert.StartsWith("4242:", (string?)c["exchange_id"], StringComparison.Ordinal);
            Assert.Equal(4242, (int?)c["client_pid"]);
        });
        Assert.Equal(client["calls"]![0]!["result"]!.ToJsonString(), requests[2]["result"]!.ToJsonString());
        Assert.Equal("over http", (string?)requests[2]["arguments"]!["message"]);
        Assert.True((bool)requests[3]["is_error"]!);
        Assert.Equal((int)client["prompt"]!["error"]!["code"]!, (int)requests[4]["error"]!["code"]!);
        Assert.Contains(mcp, c => (string?)c["mcp.method.name"] == "notifications/initialized");

        // Each mcp event follows its exchange's http event, so a filter that drops the exchange can drop it too.
        var order = chain.Output.Select((e, i) => (e, i)).ToList();
        foreach (var (evt, index) in order.Where(p => p.e.Source == "mcp"))
        {
            var exchange = (string?)evt.Fields!["exchange_id"];
            Assert.Contains(order.Take(index), p => p.e.Source == "http" && (string?)p.e.Fields!["exchange_id"] == exchange);
        }
        Assert.Empty(chain.OfSource("llm"));
        Assert.Equal(0, chain.Context("mcp").CounterValue("responses_unpaired"));
    }

    /// <summary>server-everything's streamable HTTP transport on a free port of 127.0.0.1.</summary>
    private sealed class EverythingOverHttp : IAsyncDisposable
    {
        private readonly Process _process;

        private EverythingOverHttp(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static async Task<EverythingOverHttp> StartAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var start = new ProcessStartInfo(McpPackages.Node) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = McpPackages.Folder };
            start.ArgumentList.Add(McpPackages.EverythingServer);
            start.ArgumentList.Add("streamableHttp");
            start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var process = Process.Start(start)!;
            var listening = new TaskCompletionSource();
            process.ErrorDataReceived += (_, line) =>
            {
                if (line.Data?.Contains("listening on port", StringComparison.Ordinal) == true)
                {
                    listening.TrySetResult();
                }
            };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return new EverythingOverHttp(process, port);
        }

        public async ValueTask DisposeAsync()
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
