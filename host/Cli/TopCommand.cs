using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Capture;
using AgentSight.Host.Hosting;
using AgentSight.Host.Manifest;
using AgentSight.Host.Plugins;
using AgentSight.Top.Model;
using AgentSight.Top.Sources;
using AgentSight.Top.View;

namespace AgentSight.Host.Cli;

/// <summary>
/// <c>top</c>: the live terminal view (tools/top). Attaches to a running recording through its web API, or runs its
/// own capture as <c>record</c> does and watches that. The view itself lives in the AgentSight.Top assembly; this
/// command only chooses the source and, for an own capture, starts and ends it.
/// </summary>
internal static class TopCommand
{
    public static Command Create(GlobalOptions global)
    {
        var url = new Option<string?>("--url")
        {
            Description = "Attach to the recording at this address, as it printed it (http://127.0.0.1:7395/?token=…); others see a token on a command line in ps: prefer --token-file",
            HelpName = "URL",
        };
        var tokenFile = new Option<FileInfo?>("--token-file")
        {
            Description = "Attach with the token in the first line of this file (to --url, default http://127.0.0.1:7395/)",
            HelpName = "FILE",
        };
        var comm = new Option<string[]>("--comm", "-c") { Description = "Capture on its own: processes with this name and their children; repeatable", HelpName = "COMM" };
        var pid = new Option<int[]>("--pid", "-p") { Description = "Capture on its own: this process and its children; repeatable", HelpName = "PID" };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Own capture: the session file (default session-DATE.jsonl; a .db beside it, the command's output in a .out)",
            HelpName = "FILE",
        };
        var interval = new Option<double>("--interval", "-d")
        {
            Description = "Seconds between refreshes (default 1)",
            HelpName = "SECONDS",
            DefaultValueFactory = _ => 1.0,
        };
        var once = new Option<bool>("--once") { Description = "Print one frame (every row) and end: for scripts, or output that is not a terminal" };
        var sort = new Option<string?>("--sort")
        {
            Description = $"The first sort column: {string.Join(", ", TopColumn.All.Select(c => c.Name))} (default tokens)",
            HelpName = "COLUMN",
        };
        var agents = new Option<bool>("--agents") { Description = "Start with one row per agent (a process and all its descendants) instead of one per process" };
        var filter = new Option<string?>("--filter") { Description = "Start with this filter (text in the pid, name or command line)", HelpName = "TEXT" };
        var command = new Argument<string[]>("COMMAND")
        {
            Description = "After --: capture on its own, starting this command (its output goes to the session's .out file)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        interval.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0.1 or > 3600)
            {
                r.AddError("--interval must be between 0.1 and 3600 seconds");
            }
        });
        sort.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } name && TopColumn.Named(name) is null)
            {
                r.AddError($"--sort: \"{name}\" is not a column ({string.Join(", ", TopColumn.All.Select(c => c.Name))})");
            }
        });

        var top = new Command("top", "A live table of what traced agents and processes do (calls, tokens, CPU, memory, execs, files, peers, failures, losses): of a running recording, or of its own capture");
        foreach (var option in new Option[] { url, tokenFile, comm, pid, output, interval, once, sort, agents, filter })
        {
            top.Options.Add(option);
        }
        top.Arguments.Add(command);
        top.SetAction(async (parse, cancellation) =>
        {
            var view = new TopViewState
            {
                Grouping = parse.GetValue(agents) ? TopGrouping.Agents : TopGrouping.Processes,
                Filter = parse.GetValue(filter),
            };
            if (parse.GetValue(sort) is { } sortName && TopColumn.Named(sortName) is { } column && column.AppliesTo(view.Grouping))
            {
                view.SortColumn = column;
                view.Descending = column.DescendingFirst;
            }
            var settings = new Settings(TimeSpan.FromSeconds(parse.GetValue(interval)), parse.GetValue(once), view);
            var commandLine = parse.GetValue(command) ?? [];
            var comms = CaptureCommand.Comms(parse.GetValue(comm));
            var pids = parse.GetValue(pid) ?? [];
            var wantsCapture = commandLine.Length > 0 || comms.Count > 0 || pids.Length > 0;
            var urlText = parse.GetValue(url);
            var tokenPath = parse.GetValue(tokenFile);

            if (urlText is not null || tokenPath is not null)
            {
                if (wantsCapture)
                {
                    await Console.Error.WriteLineAsync("agentsight: top attaches (--url, --token-file) or captures (-c, -p, -- CMD), not both");
                    return ExitCodes.Usage;
                }
                string? token = null;
                if (tokenPath is not null && (token = WebApiEndpoint.ReadTokenFile(tokenPath.FullName, out var tokenProblem)) is null)
                {
                    await Console.Error.WriteLineAsync($"agentsight: --token-file: {tokenProblem}");
                    return ExitCodes.Usage;
                }
                var endpoint = WebApiEndpoint.Parse(urlText ?? DefaultAddress, token, out var urlProblem);
                if (endpoint is null)
                {
                    await Console.Error.WriteLineAsync($"agentsight: --url: {urlProblem}");
                    return ExitCodes.Usage;
                }
                return await AttachAsync(endpoint, endpoint.ToString(), settings);
            }
            if (!wantsCapture)
            {
                var (found, notReadable) = LiveRecordings.Find();
                if (found.Count > 0)
                {
                    var newest = found[0];
                    var others = found.Count > 1 ? $"; {found.Count - 1} more running, --url chooses" : "";
                    return await AttachAsync(newest.Endpoint, $"{newest.Endpoint} (recorder pid {newest.Pid}{others})", settings);
                }
                if (UnixFileStatus.EffectiveUserId != 0)
                {
                    var theirs = notReadable.Count > 0
                        ? $" (recordings of another user run: pid {string.Join(", ", notReadable)}; their address is for that user and root only)"
                        : "";
                    await Console.Error.WriteLineAsync($"agentsight: top: no running recording of yours was found{theirs}. Start one (sudo ./agentsight record -- CMD), "
                        + "attach with --url http://127.0.0.1:PORT/?token=… or --token-file FILE, or run sudo ./agentsight top to capture on its own");
                    return ExitCodes.Failure;
                }
            }
            var what = commandLine.Length > 0 ? string.Join(' ', commandLine)
                : comms.Count + pids.Length > 0 ? string.Join(", ", comms.Select(c => $"-c {c}").Concat(pids.Select(p => $"-p {p}")))
                : "every process";
            if (commandLine.Length > 0 && TlsDiscovery.ResolveExecutable(commandLine[0], Environment.GetEnvironmentVariable("PATH")) is null)
            {
                await Console.Error.WriteLineAsync($"agentsight: {commandLine[0]}: command not found");
                return 127;
            }
            var session = Path.GetFullPath(parse.GetValue(output) ?? RecordCommand.DefaultSessionName(DateTimeOffset.Now));
            var user = UserIdentity.OfThisProcessInvoker();
            var options = new CaptureOptions
            {
                Tls = true,
                Sockets = true,
                Stdio = StdioCapture.JsonRpc,
                ProcessEvents = ProcessEmit.All,
                NetworkEvents = true,
                Pids = pids,
                Comms = comms,
                Command = commandLine,
                CommandUser = commandLine.Length > 0 ? user : null,
                CommandOutput = commandLine.Length > 0 ? Path.ChangeExtension(session, ".out") : null,
                Handshakes = true,
                // As record by default: the session top writes holds the same resource samples.
                ResourceInterval = ResourceSampler.DefaultInterval,
            };
            return await OwnCaptureAsync(global.Read(parse), options, session, what, user, settings);
        });
        return top;
    }

    /// <summary>Where a recording serves by default.</summary>
    private const string DefaultAddress = "http://127.0.0.1:7395/";

    private sealed record Settings(TimeSpan Interval, bool Once, TopViewState View);

    private static async Task<int> AttachAsync(WebApiEndpoint endpoint, string watching, Settings settings)
    {
        using var quit = new CancellationTokenSource();
        using var signals = QuitOn(quit, PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP);
        using var source = new WebApiSource(() => endpoint, readResources: endpoint.IsLocal);
        var app = new TopApp(source, new TopOptions
        {
            Mode = "attached",
            Watching = watching,
            Interval = settings.Interval,
            Once = settings.Once,
            View = settings.View,
        });
        // Quitting only closes our connection: the recording goes on.
        return await app.RunAsync(quit.Token);
    }

    /// <summary>
    /// Records as <c>record</c> does (session file, .db, the web UI on a free loopback port with a random token) and
    /// watches that recording through its announced address. The log and the summary, which would tear the view, wait
    /// in memory and are printed when the view is gone; q ends the capture as a first Ctrl+C would, so the session
    /// files are complete.
    /// </summary>
    private static async Task<int> OwnCaptureAsync(HostSettings host, CaptureOptions options, string session, string what, UserIdentity? user, Settings settings)
    {
        var overrides = new PipelineOverrides();
        overrides.DisableIfPresent.Add(PipelineOverrides.Role(StageRoles.Console));
        CaptureCommand.AddRecordPresets(overrides);
        overrides.Enable.Add(PipelineOverrides.Role(StageRoles.EventFile));
        overrides.Set.Add(PipelineOverrides.SetOfRole(StageRoles.EventFile, RoleKeys.Path, PipelineOverrides.Json(session)));
        // The view reads the recording through the web stage: on, on a free port of the loopback, with a random token.
        overrides.Enable.Add(WebUiOptions.WebUi);
        overrides.Set.Add(WebUiOptions.Set(RoleKeys.Port, "0"));
        overrides.Set.Add(WebUiOptions.Set(RoleKeys.Host, "\"127.0.0.1\""));
        var store = PipelineOverrides.Role(StageRoles.SessionStore);
        overrides.EnableIfPresent.Add(store);
        overrides.SetIfPresent.Add((store, RoleKeys.Path, JsonValue.Create(Path.ChangeExtension(session, ".db"))));

        var terminal = Console.Error;
        var held = new StringWriter(CultureInfo.InvariantCulture);
        var stopCapture = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var quit = new CancellationTokenSource();
        var announced = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Console.SetError(TextWriter.Synchronized(held));
        Task<(int ExitCode, CaptureHub? Hub)> capture;
        int viewCode;
        try
        {
            // SIGTERM and SIGINT also reach the capture's own handler (it drains); SIGHUP (the SSH session went away) does not.
            using var signals = QuitOn(quit, PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP);
            using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                stopCapture.TrySetResult();
            });
            capture = Task.Run(() => CaptureCommand.RunAsync(host, overrides, printSummary: true, options,
                childOwnsInterrupt: false, banner: $"agentsight: recording to {session}", stop: stopCapture.Task,
                started: file => announced.TrySetResult(file)));
            if (await Task.WhenAny(announced.Task, capture) == capture || await announced.Task is not { } announceFile)
            {
                if (!capture.IsCompleted)
                {
                    stopCapture.TrySetResult();
                }
                var early = await capture;
                Console.SetError(terminal);
                await terminal.WriteAsync(held.ToString());
                if (early.ExitCode == ExitCodes.Success)
                {
                    await terminal.WriteLineAsync("agentsight: top's own capture needs root (it announces its web UI in " + LiveRecordings.Directory + ")");
                    return ExitCodes.Failure;
                }
                return early.ExitCode;
            }
            using var source = new WebApiSource(() => ReadAnnouncement(announceFile), readResources: true);
            var outputNote = options.CommandOutput is { } commandOutput ? $", output in {Path.GetFileName(commandOutput)}" : "";
            var app = new TopApp(source, new TopOptions
            {
                Mode = $"own capture to {Path.GetFileName(session)}{outputNote}",
                Watching = what,
                Interval = settings.Interval,
                Once = settings.Once,
                View = settings.View,
                Ended = () => capture.IsCompleted ? $"session written to {session}" : null,
            });
            viewCode = await app.RunAsync(quit.Token);
        }
        finally
        {
            Console.SetError(terminal);
        }
        // q while the capture runs ends it as Ctrl+C ends record; the command it started is stopped by us, so its status says nothing.
        var stoppedHere = !capture.IsCompleted;
        if (stoppedHere)
        {
            await terminal.WriteLineAsync("agentsight: top: ending the capture (every event already read is written)...");
            stopCapture.TrySetResult();
        }
        var (code, hub) = await capture;
        await terminal.WriteAsync(held.ToString());
        CaptureCommand.GiveToInvokingUser(session, user);
        CaptureCommand.GiveToInvokingUser(Path.ChangeExtension(session, ".db"), user);
        if (code == ExitCodes.Success && File.Exists(session))
        {
            await terminal.WriteLineAsync($"agentsight: session written to {session} (look at it with: ./agentsight serve {session}, or ./agentsight report {session})");
        }
        if (code != ExitCodes.Success)
        {
            return code;
        }
        return viewCode != 0 ? viewCode : stoppedHere ? ExitCodes.Success : hub?.CommandExitCode ?? ExitCodes.Success;
    }

    private static WebApiEndpoint? ReadAnnouncement(string file)
    {
        try
        {
            return File.ReadLines(file).FirstOrDefault() is { Length: > 0 } line ? WebApiEndpoint.Parse(line, null, out _) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>These signals end the view (which then gives the terminal back) instead of the process.</summary>
    private static Registrations QuitOn(CancellationTokenSource quit, params PosixSignal[] signals) =>
        new([.. signals.Select(s => PosixSignalRegistration.Create(s, context =>
        {
            context.Cancel = true;
            quit.Cancel();
        }))]);

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
