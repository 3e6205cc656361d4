using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Demo;
using AgentSight.Host.Capture;
using AgentSight.Host.Hosting;
using AgentSight.Host.Runners;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Host.Cli;

/// <summary>
/// <c>demo</c>: the first run. Starts a local HTTPS endpoint that streams LLM-style answers, records a bundled Python
/// agent that talks to it, runs shell commands and writes files, shows the events live, and says where to look.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(GlobalOptions global)
    {
        var pipeline = new PipelineOptions();
        var web = new WebUiOptions();
        var command = new Command("demo", "See AgentSight work: record a small bundled agent (LLM calls over HTTPS, shell commands, files) against a local endpoint, live in the web UI; needs root");
        pipeline.AddTo(command);
        web.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            // The system's Python first: a version manager's shim (pyenv) would fill the session with its own scripts.
            var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : TlsDiscovery.ResolveExecutable("python3", Environment.GetEnvironmentVariable("PATH"));
            if (python is null)
            {
                await Console.Error.WriteLineAsync("agentsight: the demo's agent is a Python script and python3 was not found: sudo apt-get install python3 (scripts/setup installs it)");
                return ExitCodes.Failure;
            }
            var preflight = new Preflight().Check(needTracefs: true, needUprobes: true);
            if (preflight is not null)
            {
                await Console.Error.WriteLineAsync($"agentsight: {preflight}");
                return ExitCodes.Failure;
            }

            var user = UserIdentity.OfThisProcessInvoker();
            var folder = Directory.CreateTempSubdirectory("agentsight-demo-").FullName;
            var workspace = Path.Combine(folder, "workspace");
            Directory.CreateDirectory(workspace);
            var script = Path.Combine(folder, DemoAgent.FileName);
            var certificatePath = Path.Combine(folder, "endpoint-cert.pem");
            using var certificate = DemoCertificate.Create();
            await File.WriteAllTextAsync(certificatePath, DemoCertificate.ToPem(certificate), cancellation);
            await File.WriteAllBytesAsync(script, DemoAgent.ReadScript(), cancellation);
            // The agent runs as the user who ran sudo: it must read its files and write in its workspace.
            if (OperatingSystem.IsLinux())
            {
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
            CaptureCommand.GiveToInvokingUser(workspace, user);

            await using var server = new DemoServer(certificate, NullLogger.Instance);
            server.Start();
            var url = $"https://127.0.0.1:{server.Port}";
            Environment.SetEnvironmentVariable("AGENTSIGHT_DEMO_URL", url);
            Environment.SetEnvironmentVariable("AGENTSIGHT_DEMO_CA", certificatePath);

            var output = Path.GetFullPath(parse.GetValue(pipeline.Output) ?? RecordCommand.DefaultSessionName(DateTimeOffset.Now));
            // The agent's progress is on the terminal; every event goes to the session (--pretty shows them live too).
            var overrides = CaptureCommand.RecordingOverrides(pipeline, parse, output);
            web.ApplyToRecording(parse, overrides, output, requireUi: true);
            var serves = web.Serves(parse);
            var options = new CaptureOptions
            {
                Tls = true,
                Sockets = true,
                Stdio = StdioCapture.JsonRpc,
                ProcessEvents = ProcessEmit.All,
                NetworkEvents = true,
                Command = [python, script],
                CommandUser = user,
                WorkingDirectory = workspace,
                ResourceInterval = ResourceSampler.DefaultInterval,
            };
            await Console.Error.WriteLineAsync($"agentsight demo: a local LLM-style endpoint is listening on {url}; recording the bundled agent ({script}) into {output}");
            // With the UI, the session stays open once the agent is done, so that a newcomer can look at it; Ctrl+C
            // then ends it (the agent is not interactive: Ctrl+C stops the host and it alike while it runs).
            var (code, hub) = await CaptureCommand.RunAsync(global.Read(parse), overrides, !parse.GetValue(pipeline.NoSummary), options,
                childOwnsInterrupt: !serves,
                decorate: serves ? KeepOpenAfterTheAgent : null);
            CaptureCommand.GiveToInvokingUser(output, user);
            CaptureCommand.GiveToInvokingUser(Path.ChangeExtension(output, ".db"), user);
            if (hub is null || code != ExitCodes.Success)
            {
                return code;
            }
            await Console.Error.WriteAsync(Digest(output, script, workspace, hub.CommandExitCode));
            return hub.CommandExitCode == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>The capture runners, the first held open after the capture ends until Ctrl+C.</summary>
    private static IReadOnlyList<IRunner> KeepOpenAfterTheAgent(CaptureHub hub, IServiceProvider services)
    {
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentSight.Demo");
        return [new HoldOpenRunner(hub.Runners[0], log,
            "The demo agent is done; its session stays open in the web UI (address above) until Ctrl+C, then the summary follows"),
            .. hub.Runners.Skip(1)];
    }

    /// <summary>
    /// What was recorded, in a few lines, and where to look next. Works on raw <c>ssl</c> events and on what the
    /// default pipeline's analyzers make of them (<c>http</c> exchanges and <c>llm</c> calls replace the raw reads and
    /// writes they consumed).
    /// </summary>
    internal static string Digest(string session, string script, string workspace, int? agentStatus)
    {
        int tls = 0, execs = 0, opens = 0, forksAndExits = 0, other = 0;
        var rawRequests = new List<string>();
        var exchanges = new List<string>();
        var calls = new List<string>();
        string? answer = null;
        var commands = new List<string>();
        var written = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(session))
        {
            if (JsonNode.Parse(line) is not JsonObject evt || evt["data"] is not JsonObject data)
            {
                continue;
            }
            switch (Str(evt["source"]), Str(data["function"]) ?? Str(data["event"]))
            {
                case (EventSources.Ssl or EventSources.Socket, var function):
                    tls++;
                    if (function == "WRITE/SEND" && Str(data["data"]) is { } sent && sent.StartsWith("POST ", StringComparison.Ordinal))
                    {
                        rawRequests.Add(FirstLine(sent));
                    }
                    break;
                case (EventSources.Http, _):
                    if (data["request"] is JsonObject request)
                    {
                        var status = data["response"] is JsonObject response ? $" → {response["status"]}" : "";
                        exchanges.Add($"{request["method"]} {request["path"]}{status}");
                    }
                    break;
                case (EventSources.Llm, _):
                    calls.Add($"{Str(data["gen_ai.provider.name"])} {Str(data["gen_ai.request.model"])}");
                    answer = OutputText(data) ?? answer;
                    break;
                case (EventSources.Process, "EXEC"):
                    execs++;
                    if (data["argv"] is JsonArray argv && !argv.Any(a => Str(a) == script))
                    {
                        commands.Add(string.Join(' ', argv.Select(Str)));
                    }
                    break;
                case (EventSources.Process, "FILE_OPEN"):
                    opens++;
                    var flags = data["flags"] is JsonValue flagValue && flagValue.TryGetValue(out long parsed) ? parsed : 0;
                    if ((flags & 3) != 0 && data["fd"] is not null && Str(data["filepath"]) is { } path && !path.StartsWith("/dev/", StringComparison.Ordinal))
                    {
                        written.Add(path);
                    }
                    break;
                case (EventSources.Process, _):
                    forksAndExits++;
                    break;
                default:
                    other++;
                    break;
            }
        }
        var text = new System.Text.StringBuilder();
        text.AppendLine();
        text.AppendLine(agentStatus == 0
            ? "The demo agent finished. AgentSight saw, from the kernel, with no change to the agent:"
            : $"The demo agent exited with status {agentStatus}. AgentSight saw:");
        if (calls.Count > 0)
        {
            text.AppendLine($"  - {calls.Count} LLM calls ({string.Join(", ", calls.Distinct(StringComparer.Ordinal))}), rebuilt from the TLS plaintext"
                + (answer is null ? "" : $"; the last answer: \"{Shorten(answer, 90)}\""));
        }
        if (exchanges.Count > 0)
        {
            text.AppendLine($"  - {exchanges.Count} HTTPS exchanges: {string.Join(", ", exchanges.Distinct(StringComparer.Ordinal))}");
        }
        if (rawRequests.Count > 0 || exchanges.Count == 0)
        {
            text.AppendLine($"  - {tls} TLS plaintext events, {rawRequests.Count} of them requests: {string.Join(", ", rawRequests.Distinct(StringComparer.Ordinal))}");
        }
        text.AppendLine($"  - {execs} programs started; the agent's tools ran: {(commands.Count == 0 ? "none" : string.Join(" | ", commands.Take(8)))}");
        text.AppendLine($"  - {opens} file opens; files written: {(written.Count == 0 ? "none" : string.Join(", ", written))}");
        text.AppendLine($"  - {forksAndExits} forks and exits{(other > 0 ? $", {other} other events from the pipeline's analyzers" : "")}");
        text.AppendLine();
        text.AppendLine($"The session is {session}. Look at it with:");
        text.AppendLine($"  ./agentsight serve {session}                    # in the web UI again (no root needed)");
        text.AppendLine($"  ./agentsight report {session}                   # calls, tokens, processes and files, in the terminal");
        text.AppendLine($"  ./agentsight replay {session} --pretty          # every event, one line each");
        if (calls.Count > 0)
        {
            text.AppendLine($"  grep -m1 '\"source\":\"llm\"' {session}          # one LLM call: model, messages, answer, tokens");
        }
        else if (exchanges.Count > 0)
        {
            text.AppendLine($"  grep -m1 '\"source\":\"http\"' {session}         # one request and its response, in plaintext");
        }
        else
        {
            text.AppendLine($"  grep -m1 '\"WRITE/SEND\"' {session}             # the agent's first request, in plaintext");
        }
        text.AppendLine($"  grep '\"EXEC\"' {session}                       # every program it started, with argv");
        text.AppendLine($"The agent's workspace (report.md, agent.log) is {workspace}.");
        text.AppendLine("Next, record your own agent: sudo ./agentsight record -- python3 my_agent.py");
        return text.ToString();
    }

    /// <summary>A node's text when it is a JSON string (events from analyzers may hold anything under a name).</summary>
    private static string? Str(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    private static string FirstLine(string text)
    {
        var end = text.IndexOf('\r', StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }

    private static string Shorten(string text, int length)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= length ? flat : flat[..length] + "…";
    }

    /// <summary>The text of an <c>llm</c> event's answer (OpenTelemetry GenAI output messages), when it has one.</summary>
    private static string? OutputText(JsonObject data)
    {
        if (data["gen_ai.output.messages"] is not JsonArray messages)
        {
            return null;
        }
        var parts = messages.OfType<JsonObject>().SelectMany(m => m["parts"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(p => Str(p["type"]) == "text").Select(p => Str(p["content"])).OfType<string>().ToList();
        return parts.Count == 0 ? null : string.Concat(parts);
    }
}
