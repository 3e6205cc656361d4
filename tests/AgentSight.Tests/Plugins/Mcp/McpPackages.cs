using System.Text.Json.Nodes;
using AgentSight.Tests.Agents;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Mcp;

/// <summary>
/// The official MCP SDK and two reference servers from npm, at pinned versions, installed once into the agents'
/// cache (<c>AGENTSIGHT_AGENTS_CACHE</c>, else <c>/var/cache/agentsight-agents</c>), with this folder's client and tee
/// scripts beside them so that their imports resolve.
/// </summary>
internal static class McpPackages
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The packages' folder: the capture tests' npm fixture, which holds the SDK and both servers.</summary>
    public static string Folder => AgentSight.Tests.Capture.NodeFixture.Folder;

    public static string EverythingServer => Path.Combine(Folder, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");

    public static string FilesystemServer => Path.Combine(Folder, "node_modules", "@modelcontextprotocol", "server-filesystem", "dist", "index.js");

    public static string Client => Path.Combine(Folder, "client.mjs");

    public static string Node => RealAgent.FindOnPath("node") ?? throw new InvalidOperationException("node is not on PATH: install Node.js");

    /// <summary>Installs the packages when missing (one npm fixture for every test that needs them), then puts the scripts beside them.</summary>
    public static async Task EnsureInstalledAsync()
    {
        await AgentSight.Tests.Capture.NodeFixture.EnsureInstalledAsync();
        await Gate.WaitAsync();
        try
        {
            Assert.True(File.Exists(EverythingServer) && File.Exists(FilesystemServer), $"the MCP servers are not in {Folder}");
            foreach (var script in new[] { "client.mjs", "tee.mjs" })
            {
                File.Copy(Path.Combine(Artifacts.RepoRoot, "tests", "AgentSight.Tests", "Plugins", "Mcp", "Node", script), Path.Combine(Folder, script), overwrite: true);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task<(JsonObject Client, List<TeeRead> Reads)> RunStdioAsync(TempFolder folder, JsonArray calls, params string[] server)
    {
        await EnsureInstalledAsync();
        var log = folder.Combine($"tee-{Guid.NewGuid():N}.jsonl");
        var output = await RunClientAsync(calls, ["stdio", log, .. server]);
        return (output, TeeRead.Load(log));
    }

    /// <summary>Runs the SDK's client against a streamable HTTP endpoint and returns what it printed.</summary>
    public static async Task<JsonObject> RunHttpAsync(string url, JsonArray calls)
    {
        await EnsureInstalledAsync();
        return await RunClientAsync(calls, ["http", url]);
    }

    private static async Task<JsonObject> RunClientAsync(JsonArray calls, string[] arguments)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["HOME"] = Folder,
            ["CALLS"] = calls.ToJsonString(),
        };
        var (exit, timedOut, stdout, stderr, _) = await AgentProcess.RunAsync(
            new AgentInvocation([Node, Client, .. arguments], environment, Folder, Folder), TimeSpan.FromMinutes(2));
        Assert.True(exit == 0 && !timedOut, $"the MCP client failed (exit {exit}{(timedOut ? ", timed out" : "")}):\n{stdout}\n{stderr}");
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return JsonNode.Parse(last)!.AsObject();
    }
}
