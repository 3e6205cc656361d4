using System.CommandLine;
using System.Globalization;
using AgentSight.Host.Capture;
using AgentSight.Host.Hosting;

namespace AgentSight.Host.Cli;

/// <summary>
/// <c>process</c>: execs, forks, exits and file opens on stdout; the original tool's <c>process</c> command, with its
/// flags (also accepted after <c>--</c>) and its three modes.
/// </summary>
internal static class ProcessCommand
{
    public static Command Create(GlobalOptions global)
    {
        var pid = new Option<int[]>("--pid", "-p") { Description = "Follow this process and its children (mode 2); repeatable", HelpName = "PID" };
        var comm = new Option<string[]>("--comm", "-c")
        {
            Description = "Follow processes with these names and their children (mode 2); repeatable or comma-separated",
            HelpName = "COMM",
        };
        var uid = new Option<uint?>("--uid", "-u") { Description = "Only processes of this user id", HelpName = "UID" };
        var mode = new Option<int?>("--mode", "-m")
        {
            Description = "0: every process, with file opens; 1: every process, exec/fork/exit only (default); 2: only the followed tree (-p/-c), with file opens",
            HelpName = "0|1|2",
        };
        var all = new Option<bool>("--all", "-a") { Description = "The same as --mode 0" };
        var legacy = new Argument<string[]>("PROCESS_ARGS")
        {
            Description = "The original's process flags after --: -c LIST, -p PID, -m N, -a, -v",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var common = new CaptureCommand.CommonOptions();
        var pipeline = new PipelineOptions();
        var web = new WebUiOptions();

        var command = new Command("process", "Capture process activity (exec with argv, fork, exit with code, file opens) until Ctrl+C; needs root");
        command.Options.Add(pid);
        command.Options.Add(comm);
        command.Options.Add(uid);
        command.Options.Add(mode);
        command.Options.Add(all);
        common.AddTo(command, tls: false);
        pipeline.AddTo(command);
        web.AddOptInTo(command);
        command.Arguments.Add(legacy);
        command.SetAction(async (parse, cancellation) =>
        {
            var pids = (parse.GetValue(pid) ?? []).ToList();
            var comms = CaptureCommand.Comms(parse.GetValue(comm));
            var chosen = parse.GetValue(all) ? 0 : parse.GetValue(mode);
            var error = ReadLegacy(parse.GetValue(legacy) ?? [], pids, comms, ref chosen);
            if (error is null && ResolveMode(chosen, pids.Count + comms.Count > 0, out var emit, out error) && error is null)
            {
                var overrides = pipeline.Read(parse);
                web.ApplyIfAsked(parse, overrides);
                common.ApplyRotation(parse, overrides);
                var options = new CaptureOptions
                {
                    PipelineNice = parse.GetValue(common.PipelineNice),
                    Tls = false,
                    ProcessEvents = emit,
                    Pids = pids,
                    Comms = comms,
                    Uid = parse.GetValue(uid),
                };
                var (code, _) = await CaptureCommand.RunAsync(global.Read(parse), overrides, !parse.GetValue(pipeline.NoSummary), options);
                return code;
            }
            await Console.Error.WriteLineAsync($"agentsight: {error}");
            return ExitCodes.Usage;
        });
        return command;
    }

    /// <summary>The original's modes: 0 everything with file opens, 1 every process without them, 2 the followed tree.</summary>
    internal static bool ResolveMode(int? mode, bool hasFilter, out ProcessEmit emit, out string? error)
    {
        error = null;
        emit = ProcessEmit.All;
        switch (mode ?? (hasFilter ? 2 : 1))
        {
            case 0 or 1 when hasFilter:
                error = $"--mode {mode} traces every process; -p and -c follow a process tree (mode 2)";
                return false;
            case 0:
                return true;
            case 1:
                emit = ProcessEmit.Exec | ProcessEmit.Fork | ProcessEmit.Exit;
                return true;
            case 2 when !hasFilter:
                error = "--mode 2 follows a process tree: give -p PID or -c COMM";
                return false;
            case 2:
                return true;
            default:
                error = $"--mode must be 0, 1 or 2 (got {mode})";
                return false;
        }
    }

    /// <summary>The original process program's flags (<c>agentsight process -- -c claude,node -m 2</c>).</summary>
    internal static string? ReadLegacy(IReadOnlyList<string> args, List<int> pids, List<string> comms, ref int? mode)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var (flag, inline) = SslCommand.Split(args[i]);
            string? Value() => inline ?? (i + 1 < args.Count ? args[++i] : null);
            switch (flag)
            {
                case "-p" or "--pid":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                    {
                        return $"{flag} needs a process id";
                    }
                    pids.Add(p);
                    break;
                case "-c" or "--commands":
                    if (Value() is not { Length: > 0 } list)
                    {
                        return $"{flag} needs a list of process names";
                    }
                    comms.AddRange(CaptureCommand.Comms([list]));
                    break;
                case "-m" or "--mode":
                    if (!int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var m))
                    {
                        return $"{flag} needs 0, 1 or 2";
                    }
                    mode = m;
                    break;
                case "-a" or "--all":
                    mode = 0;
                    break;
                case "-v" or "--verbose":
                    break;
                case "-d" or "--duration":
                    return $"{flag} is not supported: every process is recorded (see docs/CAPTURE.md)";
                default:
                    return $"process flag \"{args[i]}\" is not known (see agentsight process --help)";
            }
        }
        return null;
    }
}
