using System.Collections.Concurrent;
using System.Text;

namespace AgentSight.Tests.Agents;

/// <summary>
/// One real coding agent at one pinned version, installed from npm into
/// <c>/var/cache/agentsight-agents/&lt;package&gt;_&lt;version&gt;</c> (a download cache outside the repository; override
/// the root with <c>AGENTSIGHT_AGENTS_CACHE</c>), and how to run one prompt with it, offline, against an
/// <see cref="AgentEndpoint"/>, with its shell tool allowed.
/// </summary>
/// <remarks>
/// What runs, and which process makes the model calls:
/// <list type="bullet">
/// <item>Claude Code: the Bun executable <c>@anthropic-ai/claude-code-linux-x64/claude</c> directly (the npm
/// <c>bin/claude.exe</c> is a hard link to it); that process makes the calls (BoringSSL inside).</item>
/// <item>Codex: the static Rust binary <c>vendor/x86_64-unknown-linux-musl/bin/codex</c> directly (the npm
/// <c>codex.js</c> launcher only starts it); that process makes the calls (rustls).</item>
/// <item>Copilot CLI: the Node single executable <c>@github/copilot-linux-x64/copilot</c> directly (the npm loader
/// only starts it); the calls come from that process, through <c>runtime.node</c> which it unpacks under
/// <c>~/.cache/copilot</c> and loads.</item>
/// <item>Gemini CLI: <c>node bundle/gemini.js</c>; it relaunches itself as a child <c>node</c>, and the child makes the
/// calls (Node's OpenSSL).</item>
/// </list>
/// </remarks>
public sealed record RealAgent(AgentKind Kind, string Version)
{
    private const string FakeKeyBody = "agentsight-fake-key-000000000000000000000000";

    /// <summary>The model Copilot CLI is told to use with the custom provider.</summary>
    public const string CopilotModel = "gpt-4.1";

    /// <summary>The model Codex is configured with.</summary>
    public const string CodexModel = "gpt-5.1-codex";

    /// <summary>Each run's default bound.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> InstallGates = new();

    /// <summary>Every pinned version, oldest first per agent.</summary>
    public static IReadOnlyList<RealAgent> Matrix { get; } =
    [
        new(AgentKind.ClaudeCode, "2.1.113"),
        new(AgentKind.ClaudeCode, "2.1.150"),
        new(AgentKind.ClaudeCode, "2.1.197"),
        new(AgentKind.ClaudeCode, "2.1.215"),
        new(AgentKind.ClaudeCode, "2.1.280"),
        new(AgentKind.ClaudeCode, "2.1.332"),
        new(AgentKind.Codex, "0.153.0"),
        new(AgentKind.Codex, "0.162.0"),
        new(AgentKind.Codex, "0.171.0"),
        new(AgentKind.Copilot, "1.0.102"),
        new(AgentKind.Gemini, "0.61.0"),
    ];

    /// <summary>The version of each agent the tests use unless told otherwise.</summary>
    public static RealAgent Default(AgentKind kind) => kind switch
    {
        AgentKind.ClaudeCode => new(kind, "2.1.332"),
        AgentKind.Codex => new(kind, "0.171.0"),
        AgentKind.Copilot => new(kind, "1.0.102"),
        AgentKind.Gemini => new(kind, "0.61.0"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static IReadOnlyList<RealAgent> Defaults { get; } = [.. Enum.GetValues<AgentKind>().Select(Default)];

    /// <summary>The root of the installations: <c>AGENTSIGHT_AGENTS_CACHE</c>, else <c>/var/cache/agentsight-agents</c>.</summary>
    public static string CacheRoot =>
        Environment.GetEnvironmentVariable("AGENTSIGHT_AGENTS_CACHE") is { Length: > 0 } root ? root : "/var/cache/agentsight-agents";

    /// <summary>The npm package.</summary>
    public string Package => Kind switch
    {
        AgentKind.ClaudeCode => "@anthropic-ai/claude-code",
        AgentKind.Codex => "@openai/codex",
        AgentKind.Copilot => "@github/copilot",
        AgentKind.Gemini => "@google/gemini-cli",
        _ => throw new InvalidOperationException(),
    };

    /// <summary>The provider API the agent speaks to the endpoint.</summary>
    public WireApi Api => Kind switch
    {
        AgentKind.ClaudeCode => WireApi.AnthropicMessages,
        AgentKind.Codex => WireApi.OpenAiResponses,
        AgentKind.Copilot => WireApi.OpenAiChatCompletions,
        _ => WireApi.Gemini,
    };

    /// <summary>The installation folder, <c>CACHE/&lt;package without @, / as _&gt;_&lt;version&gt;</c> (the <c>--prefix</c> of <c>npm install</c>).</summary>
    public string InstallFolder => Path.Combine(CacheRoot, $"{Package.TrimStart('@').Replace('/', '_')}_{Version}");

    /// <summary>The program that is started (see the remarks for which process makes the model calls).</summary>
    public string Executable => Path.Combine(InstallFolder, "node_modules", Kind switch
    {
        AgentKind.ClaudeCode => "@anthropic-ai/claude-code-linux-x64/claude",
        AgentKind.Codex => "@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex",
        AgentKind.Copilot => "@github/copilot-linux-x64/copilot",
        _ => "@google/gemini-cli/bundle/gemini.js",
    });

    public bool IsInstalled => File.Exists(Executable);

    /// <summary>The command npm installs for it (<c>node_modules/.bin/NAME</c>): the Bun binary itself for Claude Code, a Node launcher for the others.</summary>
    public string Launcher => Path.Combine(InstallFolder, "node_modules", ".bin", Kind switch
    {
        AgentKind.ClaudeCode => "claude",
        AgentKind.Codex => "codex",
        AgentKind.Copilot => "copilot",
        _ => "gemini",
    });

    /// <summary>The fake API key this agent sends (in the provider's key format; never a real key).</summary>
    public string ApiKey => Kind == AgentKind.ClaudeCode ? $"sk-ant-api03-{FakeKeyBody}AA" : $"sk-{FakeKeyBody}";

    public override string ToString() => $"{Kind} {Version}";

    /// <summary>
    /// Installs the agent when it is missing (<c>npm install --no-audit --no-fund --prefix DIR PKG@VER</c>, into a
    /// sibling folder first, then renamed into place); fails with a clear message when npm cannot.
    /// </summary>
    public async Task EnsureInstalledAsync(CancellationToken cancel = default)
    {
        if (IsInstalled)
        {
            return;
        }
        var gate = InstallGates.GetOrAdd(InstallFolder, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancel);
        try
        {
            if (IsInstalled)
            {
                return;
            }
            Directory.CreateDirectory(CacheRoot);
            var partial = $"{InstallFolder}.partial-{Environment.ProcessId}";
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }
            var npm = FindOnPath("npm") ?? throw new InvalidOperationException(
                $"{this} is not installed in {InstallFolder} and npm is not on PATH: install Node.js and npm, or run scripts/agents install");
            var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");
            var invocation = new AgentInvocation(
                [npm, "install", "--no-audit", "--no-fund", "--prefix", partial, $"{Package}@{Version}"], environment, CacheRoot, Environment.GetEnvironmentVariable("HOME") ?? "/root");
            var (exit, timedOut, stdout, stderr, _) = await AgentProcess.RunAsync(invocation, TimeSpan.FromMinutes(15), cancel);
            if (exit != 0 || !File.Exists(Executable.Replace(InstallFolder, partial, StringComparison.Ordinal)))
            {
                TryDelete(partial);
                throw new InvalidOperationException(
                    $"{this} is not installed in {InstallFolder}, and `npm install --prefix {partial} {Package}@{Version}` failed "
                    + $"(exit {exit}{(timedOut ? ", timed out" : "")}; it needs the npm registry, or run scripts/agents install where it is reachable):\n{stdout}\n{stderr}");
            }
            if (Directory.Exists(InstallFolder))
            {
                // A half-made folder from an older install without the executable.
                Directory.Delete(InstallFolder, recursive: true);
            }
            Directory.Move(partial, InstallFolder);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The command, the complete environment and the working directory that run <paramref name="prompt"/> once,
    /// non-interactively, with the agent's shell tool allowed, against <paramref name="endpoint"/>. Makes
    /// <c>RUN/home</c> (the throw-away <c>HOME</c>, with each agent's settings) and <c>RUN/work</c> (the working
    /// directory) under <paramref name="runFolder"/>.
    /// </summary>
    /// <param name="unpackCache">
    /// A folder kept between runs for what an agent unpacks on its first run (Copilot: ~235 MB, <c>runtime.node</c>
    /// included, under <c>XDG_CACHE_HOME/copilot/pkg</c>, which saves ~2 s per run and gives <c>runtime.node</c> a
    /// stable path, see <see cref="CopilotRuntimeModule"/>); null: inside the throw-away home, as on a first run.
    /// Only Copilot uses it. Do not let two runs unpack into a new folder at the same time.
    /// </param>
    public AgentInvocation Prepare(AgentEndpoint endpoint, string prompt, string runFolder, string? unpackCache = null)
    {
        var home = Path.Combine(runFolder, "home");
        var work = Path.Combine(runFolder, "work");
        var tmp = Path.Combine(runFolder, "tmp");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(tmp);
        var node = FindOnPath("node") ?? "/usr/bin/node";
        var path = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } inherited ? inherited : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        if (!path.Split(':').Contains(Path.GetDirectoryName(node)))
        {
            path = Path.GetDirectoryName(node) + ":" + path;
        }
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = path,
            ["HOME"] = home,
            ["USER"] = Environment.UserName,
            ["LOGNAME"] = Environment.UserName,
            ["SHELL"] = "/bin/bash",
            ["LANG"] = "C.UTF-8",
            ["TERM"] = "dumb",
            ["NO_COLOR"] = "1",
            ["TMPDIR"] = tmp,
        };
        string[] command;
        switch (Kind)
        {
            case AgentKind.ClaudeCode:
                // Bun honours NODE_EXTRA_CA_CERTS. The warm-up HEAD / and the model calls go to the base URL.
                environment["ANTHROPIC_BASE_URL"] = endpoint.BaseUrl;
                environment["ANTHROPIC_API_KEY"] = ApiKey;
                environment["NODE_EXTRA_CA_CERTS"] = endpoint.CaCertificatePath;
                environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1";
                environment["DISABLE_TELEMETRY"] = "1";
                environment["DISABLE_AUTOUPDATER"] = "1";
                environment["DISABLE_ERROR_REPORTING"] = "1";
                command = [Executable, "-p", prompt, "--allowedTools", "Bash"];
                break;
            case AgentKind.Codex:
                var codexHome = Path.Combine(home, ".codex");
                Directory.CreateDirectory(codexHome);
                File.WriteAllText(Path.Combine(codexHome, "config.toml"), CodexConfig(endpoint));
                environment["CODEX_HOME"] = codexHome;
                environment["LOCAL_OPENAI_API_KEY"] = ApiKey;
                environment["CODEX_CA_CERTIFICATE"] = endpoint.CaCertificatePath;
                environment["SSL_CERT_FILE"] = endpoint.CaCertificatePath;
                command = [Executable, "exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", "--color", "never", prompt];
                break;
            case AgentKind.Copilot:
                environment["COPILOT_OFFLINE"] = "true";
                environment["COPILOT_PROVIDER_BASE_URL"] = endpoint.BaseUrl + "/v1";
                environment["COPILOT_PROVIDER_API_KEY"] = ApiKey;
                environment["COPILOT_MODEL"] = CopilotModel;
                environment["COPILOT_AUTO_UPDATE"] = "false";
                environment["NODE_EXTRA_CA_CERTS"] = endpoint.CaCertificatePath;
                environment["SSL_CERT_FILE"] = endpoint.CaCertificatePath;
                if (unpackCache is not null)
                {
                    Directory.CreateDirectory(unpackCache);
                    environment["XDG_CACHE_HOME"] = unpackCache;
                }
                command = [Executable, "-p", prompt, "--allow-all-tools"];
                break;
            default:
                var gemini = Path.Combine(home, ".gemini");
                Directory.CreateDirectory(gemini);
                // Without selectedType the base URL selects the "gateway" auth type, which -p rejects.
                File.WriteAllText(Path.Combine(gemini, "settings.json"),
                    """{"security":{"auth":{"selectedType":"gemini-api-key"}},"telemetry":{"enabled":false},"privacy":{"usageStatisticsEnabled":false}}""");
                environment["GEMINI_API_KEY"] = ApiKey;
                environment["GOOGLE_GEMINI_BASE_URL"] = endpoint.BaseUrl;
                environment["NODE_EXTRA_CA_CERTS"] = endpoint.CaCertificatePath;
                environment["GEMINI_CLI_TRUST_WORKSPACE"] = "true";
                command = [node, Executable, "-p", prompt, "--yolo"];
                break;
        }
        return new AgentInvocation(command, environment, work, home);
    }

    /// <summary>Installs the agent if needed, runs <paramref name="prompt"/> once against <paramref name="endpoint"/> (see <see cref="Prepare"/>), bounded by <paramref name="timeout"/> (default 120 s).</summary>
    public async Task<AgentRun> RunAsync(
        AgentEndpoint endpoint, string prompt, string runFolder, TimeSpan? timeout = null, string? unpackCache = null, CancellationToken cancel = default)
    {
        await EnsureInstalledAsync(cancel);
        var invocation = Prepare(endpoint, prompt, runFolder, unpackCache);
        var (exit, timedOut, stdout, stderr, elapsed) = await AgentProcess.RunAsync(invocation, timeout ?? DefaultTimeout, cancel);
        return new AgentRun(this, invocation, exit, timedOut, stdout, stderr, elapsed);
    }

    /// <summary>
    /// Where Copilot's model-calling module <c>runtime.node</c> is (or will be, after its first start) for an
    /// invocation: <c>XDG_CACHE_HOME</c> (else <c>HOME/.cache</c>)<c>/copilot/pkg/linux-x64/VERSION/prebuilds/linux-x64/runtime.node</c>.
    /// </summary>
    public string CopilotRuntimeModule(AgentInvocation invocation)
    {
        if (Kind != AgentKind.Copilot)
        {
            throw new InvalidOperationException($"{this} has no runtime.node");
        }
        var cache = invocation.Environment.TryGetValue("XDG_CACHE_HOME", out var xdg) ? xdg : Path.Combine(invocation.Home, ".cache");
        return Path.Combine(cache, "copilot", "pkg", "linux-x64", Version, "prebuilds", "linux-x64", "runtime.node");
    }

    private static string CodexConfig(AgentEndpoint endpoint)
    {
        var text = new StringBuilder();
        text.AppendLine($"model = \"{CodexModel}\"");
        text.AppendLine("model_provider = \"local\"");
        text.AppendLine("check_for_update_on_startup = false");
        text.AppendLine();
        text.AppendLine("[model_providers.local]");
        text.AppendLine("name = \"local\"");
        text.AppendLine($"base_url = \"{endpoint.BaseUrl}/v1\"");
        text.AppendLine("env_key = \"LOCAL_OPENAI_API_KEY\"");
        text.AppendLine("wire_api = \"responses\"");
        text.AppendLine("request_max_retries = 1");
        text.AppendLine("stream_max_retries = 1");
        if (endpoint.Transport == EndpointTransport.WebSocket)
        {
            // The Responses API over WebSocket, as Codex uses it with OpenAI's own endpoint.
            text.AppendLine("supports_websockets = true");
        }
        text.AppendLine();
        text.AppendLine("[analytics]");
        text.AppendLine("enabled = false");
        text.AppendLine();
        // Otherwise Codex syncs its plugin marketplace: `git ls-remote https://github.com/openai/plugins.git` (a DNS
        // lookup, then nothing offline) in the background of every run.
        text.AppendLine("[features]");
        text.AppendLine("plugins = false");
        return text.ToString();
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    internal static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
