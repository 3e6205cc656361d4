using AgentSight.Tests.Capture;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Agents;

/// <summary>
/// A real agent run under <c>agentsight record -- AGENT -p PROMPT</c>, as a user runs it: the real host, the default
/// manifest (http, sse, llm, redact, the file and session-store sinks), the agent's own environment.
/// </summary>
internal sealed record AgentRecording(AgentRun Run, List<CapturedEvent> Events, string Session, string Stderr)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);

    public IEnumerable<CapturedEvent> Llm => Events.Where(e => e.Source == "llm");

    public IEnumerable<CapturedEvent> Network(string kind) => Events.Where(e => e.Source == "network" && e.Kind == kind);

    /// <summary>Records one run of <paramref name="agent"/> against <paramref name="endpoint"/>.</summary>
    /// <param name="throughLauncher">Start it as a user does, through the command npm installs (<c>node_modules/.bin/NAME</c>: a Node launcher for Codex and Copilot), not its native binary.</param>
    /// <param name="discoveryCache">A discovery cache folder of its own (an empty one: nothing looked into before).</param>
    /// <param name="recordOptions">More options of <c>record</c> (e.g. <c>--otlp URL</c>).</param>
    /// <param name="agentEnvironment">More variables for the agent (e.g. the model it is to use).</param>
    public static async Task<AgentRecording> RecordAsync(RealAgent agent, AgentEndpoint endpoint, TempFolder folder, bool throughLauncher = false, string? discoveryCache = null,
        IReadOnlyList<string>? recordOptions = null, IReadOnlyDictionary<string, string>? agentEnvironment = null)
    {
        CaptureEnvironment.Require();
        await agent.EnsureInstalledAsync();
        var session = folder.Combine("session.jsonl");
        var invocation = agent.Prepare(endpoint, AgentRoundTrip.Prompt, folder.Combine("run"));
        if (throughLauncher)
        {
            // Gemini's command is `node gemini.js …`; the others' start with their binary.
            invocation = invocation with { Command = [agent.Launcher, .. invocation.Command.Skip(agent.Kind == AgentKind.Gemini ? 2 : 1)] };
        }
        // The host runs with the agent's environment (it passes it on to the command), plus what dotnet needs.
        var environment = new Dictionary<string, string>(invocation.Environment, StringComparer.Ordinal);
        foreach (var name in new[] { "DOTNET_ROOT", "DOTNET_CLI_HOME" })
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                environment.TryAdd(name, value);
            }
        }
        foreach (var (name, value) in agentEnvironment ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }
        if (discoveryCache is not null)
        {
            environment["AGENTSIGHT_CACHE_DIR"] = discoveryCache;
        }
        string[] launcher = [Dotnet(), Artifacts.HostDll, "--plugins", Artifacts.PluginsDirectory, "record", "--no-server", "--no-summary", "-o", session, .. recordOptions ?? [], "--"];
        var recorded = invocation.Under(launcher) with { Environment = environment };
        var (exit, timedOut, stdout, stderr, elapsed) = await AgentProcess.RunAsync(recorded, Timeout);
        var run = new AgentRun(agent, recorded, exit, timedOut, stdout, stderr, elapsed);
        return new AgentRecording(run, CapturedEvent.ReadSession(session), session, stderr);
    }

    /// <summary>For assertion messages: how the run ended, what the host said, what the endpoint saw.</summary>
    public string Explain(AgentEndpoint endpoint) =>
        $"{Run.Agent}: exit {Run.ExitCode}{(Run.TimedOut ? " (timed out)" : string.Empty)}; {Events.Count} events "
        + $"({string.Join(", ", Events.GroupBy(e => e.Source).Select(g => $"{g.Key} {g.Count()}"))})\n--- host and agent stderr ---\n{Stderr}\n--- endpoint ---\n{endpoint.Describe()}"
        + $"\n--- http, sse and llm events (their data, cut at {EventExcerpt} characters) ---\n{DescribeDerived()}";

    private const int EventExcerpt = 400;

    /// <summary>What the analyzers made of the traffic: when a call is missing a field, which piece of it went astray.</summary>
    private string DescribeDerived() => string.Join('\n', Events
        .Where(e => e.Source is "http" or "sse" or "llm")
        .Select(e =>
        {
            var data = e.Data.ToJsonString();
            return $"{e.Source} {e.Kind}: {(data.Length > EventExcerpt ? data[..EventExcerpt] + "…" : data)}";
        }));

    private static string Dotnet() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : new[] { "/usr/bin/dotnet", "/usr/share/dotnet/dotnet", "/usr/lib/dotnet/dotnet" }.FirstOrDefault(File.Exists) ?? "dotnet";
}
