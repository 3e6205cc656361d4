using AgentSight.Tests.Agents;

namespace AgentSight.Tests.Capture;

/// <summary>
/// Real npm packages for the plaintext and stdio capture tests and the mcp analyzer's tests, at pinned versions: the
/// official MCP SDK (its client starts the server through StdioClientTransport, as agents do), the filesystem and
/// "everything" MCP servers, and the openai client.
/// Installed once with npm into <see cref="RealAgent.CacheRoot"/>, as the real agents are, with the two small Node
/// scripts the tests run.
/// </summary>
internal static class NodeFixture
{
    public const string SdkVersion = "1.32.2";
    public const string FilesystemServerVersion = "2026.8.31";
    public const string EverythingServerVersion = "2026.8.31";
    public const string OpenAiVersion = "7.60.0";

    /// <summary>
    /// <c>node mcp-client.mjs ROOT FILE</c>: connects to the filesystem server (a child over stdio), lists its tools, calls
    /// <c>read_text_file</c> on FILE and prints the result as one JSON line.
    /// </summary>
    private const string McpClient = """
        import { Client } from '@modelcontextprotocol/sdk/client/index.js';
        import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
        const [root, file] = process.argv.slice(2);
        const server = new URL('./node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', import.meta.url).pathname;
        const transport = new StdioClientTransport({ command: process.execPath, args: [server, root], stderr: 'ignore' });
        const client = new Client({ name: 'agentsight-test-client', version: '1.0.0' });
        await client.connect(transport);
        const tools = await client.listTools();
        const result = await client.callTool({ name: 'read_text_file', arguments: { path: file } });
        console.log(JSON.stringify({ tools: tools.tools.length, server_pid: transport.pid, result }));
        await client.close();
        """;

    /// <summary><c>node openai-chat.mjs BASE_URL MODEL</c>: one streamed chat completion through the openai package; prints the text.</summary>
    private const string OpenAiChat = """
        import OpenAI from 'openai';
        const [baseURL, model] = process.argv.slice(2);
        const client = new OpenAI({ baseURL, apiKey: 'sk-local-test' });
        const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'say hello' }] });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
        console.log(text);
        """;

    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static string Folder => Path.Combine(RealAgent.CacheRoot,
        $"node-fixture_sdk-{SdkVersion}_fs-{FilesystemServerVersion}_everything-{EverythingServerVersion}_openai-{OpenAiVersion}");

    public static string McpClientScript => Path.Combine(Folder, "mcp-client.mjs");

    public static string OpenAiChatScript => Path.Combine(Folder, "openai-chat.mjs");

    public static string Node => FindOnPath("node") ?? "/usr/bin/node";

    /// <summary>Installs the packages when missing (into a sibling folder first, then renamed); fails with npm's output when it cannot.</summary>
    public static async Task EnsureInstalledAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(Folder, "node_modules", "openai", "package.json")))
            {
                Directory.CreateDirectory(RealAgent.CacheRoot);
                var partial = $"{Folder}.partial-{Environment.ProcessId}";
                if (Directory.Exists(partial))
                {
                    Directory.Delete(partial, recursive: true);
                }
                var npm = FindOnPath("npm") ?? throw new InvalidOperationException("npm is not on PATH: install Node.js and npm (scripts/setup)");
                var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                    .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
                var invocation = new AgentInvocation(
                    [npm, "install", "--no-audit", "--no-fund", "--prefix", partial, $"@modelcontextprotocol/sdk@{SdkVersion}",
                     $"@modelcontextprotocol/server-filesystem@{FilesystemServerVersion}",
                     $"@modelcontextprotocol/server-everything@{EverythingServerVersion}", $"openai@{OpenAiVersion}"],
                    environment, RealAgent.CacheRoot, Environment.GetEnvironmentVariable("HOME") ?? "/root");
                var (exit, timedOut, stdout, stderr, _) = await AgentProcess.RunAsync(invocation, TimeSpan.FromMinutes(10), CancellationToken.None);
                if (exit != 0)
                {
                    throw new InvalidOperationException($"npm install into {partial} failed (exit {exit}{(timedOut ? ", timed out" : "")}; it needs the npm registry):\n{stdout}\n{stderr}");
                }
                if (Directory.Exists(Folder))
                {
                    Directory.Delete(Folder, recursive: true);
                }
                Directory.Move(partial, Folder);
            }
            await File.WriteAllTextAsync(McpClientScript, McpClient);
            await File.WriteAllTextAsync(OpenAiChatScript, OpenAiChat);
        }
        finally
        {
            Gate.Release();
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
}
