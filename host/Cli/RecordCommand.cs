using System.CommandLine;
using System.Globalization;
using AgentSight.Host.Capture;
using AgentSight.Host.Hosting;

namespace AgentSight.Host.Cli;

/// <summary>
/// <c>record [-c COMM]… [-p PID]… [-o FILE] [--binary-path PATH]… [-- CMD ARGS…]</c>: an agent's TLS plaintext,
/// processes and file opens, from the kernel, into a session file.
/// </summary>
internal static class RecordCommand
{
    public static Command Create(GlobalOptions global)
    {
        var comm = new Option<string[]>("--comm", "-c")
        {
            Description = "Follow running and future processes with this name (and their children); repeatable",
            HelpName = "COMM",
        };
        var pid = new Option<int[]>("--pid", "-p")
        {
            Description = "Follow this running process and its children; repeatable (ends when they have all exited)",
            HelpName = "PID",
        };
        var command = new Argument<string[]>("COMMAND")
        {
            Description = "After --: a command to start and trace from its first instruction (as the invoking user under sudo)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var resourceInterval = new Option<int>("--resource-interval")
        {
            Description = "Sample the CPU time and memory (RSS) of every traced process every MS milliseconds, as resource events; 0: never",
            HelpName = "MS",
            DefaultValueFactory = _ => (int)ResourceSampler.DefaultInterval.TotalMilliseconds,
        };
        var common = new CaptureCommand.CommonOptions();
        var pipeline = new PipelineOptions();
        var web = new WebUiOptions();
        var io = new IoOptions();

        var record = new Command("record", "Record what an agent does (TLS plaintext, plaintext sockets, JSON-RPC stdio, processes, file opens) into a session file; needs root");
        record.Options.Add(comm);
        record.Options.Add(pid);
        record.Options.Add(resourceInterval);
        common.AddTo(record);
        io.AddTo(record);
        pipeline.AddTo(record);
        web.AddTo(record);
        record.Arguments.Add(command);
        record.SetAction(async (parse, cancellation) =>
        {
            var commandLine = parse.GetValue(command) ?? [];
            var comms = CaptureCommand.Comms(parse.GetValue(comm));
            var pids = parse.GetValue(pid) ?? [];
            if (commandLine.Length == 0 && comms.Count == 0 && pids.Length == 0)
            {
                await Console.Error.WriteLineAsync("agentsight: record needs something to trace: -- COMMAND, -c NAME or -p PID (see agentsight record --help)");
                return ExitCodes.Usage;
            }
            if (commandLine.Length > 0 && TlsDiscovery.ResolveExecutable(commandLine[0], Environment.GetEnvironmentVariable("PATH")) is null)
            {
                // As a shell would say it, before anything is loaded.
                await Console.Error.WriteLineAsync($"agentsight: {commandLine[0]}: command not found");
                return 127;
            }
            var maxCapture = common.ReadMaxCapture(parse, out var sizeError);
            if (maxCapture is null)
            {
                await Console.Error.WriteLineAsync($"agentsight: {sizeError}");
                return ExitCodes.Usage;
            }
            if (io.Read(parse, followTree: true, out var ioError) is not { } capture)
            {
                await Console.Error.WriteLineAsync($"agentsight: {ioError}");
                return ExitCodes.Usage;
            }

            var output = Path.GetFullPath(parse.GetValue(pipeline.Output) ?? DefaultSessionName(DateTimeOffset.Now));
            var overrides = CaptureCommand.RecordingOverrides(pipeline, parse, output);
            common.ApplyRotation(parse, overrides);
            web.ApplyToRecording(parse, overrides, output);

            var user = UserIdentity.OfThisProcessInvoker();
            var options = new CaptureOptions
            {
                PipelineNice = parse.GetValue(common.PipelineNice),
                Tls = true,
                ProcessEvents = ProcessEmit.All,
                NetworkEvents = true,
                Pids = pids,
                Comms = comms,
                Command = commandLine,
                CommandUser = commandLine.Length > 0 ? user : null,
                BinaryPaths = parse.GetValue(common.BinaryPath) ?? [],
                HoldNewPrograms = !parse.GetValue(common.NoHold),
                ProbeScope = parse.GetValue(common.ProbeScope),
                MaxCapture = maxCapture.Value,
                TlsRingMb = parse.GetValue(common.RingMb),
                Handshakes = true,
                ResourceInterval = TimeSpan.FromMilliseconds(parse.GetValue(resourceInterval)),
                Sockets = capture.Sockets,
                Stdio = capture.Stdio,
                StdioLimit = capture.Limit,
            };
            var (code, hub) = await CaptureCommand.RunAsync(global.Read(parse), overrides, !parse.GetValue(pipeline.NoSummary), options,
                childOwnsInterrupt: commandLine.Length > 0, banner: $"agentsight: recording to {output}");
            CaptureCommand.GiveToInvokingUser(output, user);
            CaptureCommand.GiveToInvokingUser(Path.ChangeExtension(output, ".db"), user);
            if (hub is null)
            {
                return code;
            }
            if (code == ExitCodes.Success && File.Exists(output))
            {
                await Console.Error.WriteLineAsync($"agentsight: session written to {output} (look at it with: ./agentsight serve {Quote(output)}, or ./agentsight report {Quote(output)})");
            }
            // The command's status, as `time` or `strace` would give it, unless the recording itself failed.
            return code == ExitCodes.Success && hub.CommandExitCode is { } status ? status : code;
        });
        return record;
    }

    /// <summary><c>session-YYYYMMDD-HHMMSS.jsonl</c> in the current folder.</summary>
    public static string DefaultSessionName(DateTimeOffset now) =>
        $"session-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.jsonl";

    private static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"'{path}'" : path;
}
