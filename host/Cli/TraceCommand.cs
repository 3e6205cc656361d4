using System.CommandLine;
using AgentSight.Host.Capture;
using AgentSight.Host.Hosting;

namespace AgentSight.Host.Cli;

/// <summary>
/// <c>trace</c>: TLS plaintext and process activity together, on stdout; the original tool's <c>trace</c> command.
/// Unlike the original, <c>-p</c> and <c>-c</c> apply to both sources, <c>--ssl</c>/<c>--process</c> work without a
/// value, and the output file is optional (<c>-o</c>).
/// </summary>
internal static class TraceCommand
{
    public static Command Create(GlobalOptions global)
    {
        var ssl = new Option<bool>("--ssl") { Description = "Capture TLS plaintext (default true; --ssl false to leave it out)", DefaultValueFactory = _ => true };
        var process = new Option<bool>("--process") { Description = "Capture process activity (default true; --process false to leave it out)", DefaultValueFactory = _ => true };
        var pid = new Option<int[]>("--pid", "-p") { Description = "Only this process and its children; repeatable", HelpName = "PID" };
        var comm = new Option<string[]>("--comm", "-c") { Description = "Only processes with this name and their children; repeatable or comma-separated", HelpName = "COMM" };
        var sslUid = new Option<uint?>("--ssl-uid", "--uid") { Description = "Only this user id", HelpName = "UID" };
        var sslHandshake = new Option<bool>("--ssl-handshake") { Description = "Also emit HANDSHAKE events" };
        var mode = new Option<int?>("--mode", "-m") { Description = "Process mode: 0 every process with file opens, 1 every process (default without -p/-c), 2 the followed tree", HelpName = "0|1|2" };
        var common = new CaptureCommand.CommonOptions();
        var pipeline = new PipelineOptions();
        var web = new WebUiOptions();
        var io = new IoOptions();

        var command = new Command("trace", "Capture TLS plaintext and process activity together, until Ctrl+C; needs root");
        foreach (var option in new Option[] { ssl, process, pid, comm, sslUid, sslHandshake, mode })
        {
            command.Options.Add(option);
        }
        common.AddTo(command);
        io.AddTo(command);
        pipeline.AddTo(command);
        web.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var wantSsl = parse.GetValue(ssl);
            var wantProcess = parse.GetValue(process);
            if (!wantSsl && !wantProcess)
            {
                await Console.Error.WriteLineAsync("agentsight: at least one of --ssl and --process must be on");
                return ExitCodes.Usage;
            }
            var pids = parse.GetValue(pid) ?? [];
            var comms = CaptureCommand.Comms(parse.GetValue(comm));
            var emit = ProcessEmit.None;
            if (wantProcess && !ProcessCommand.ResolveMode(parse.GetValue(mode), pids.Length + comms.Count > 0, out emit, out var modeError))
            {
                await Console.Error.WriteLineAsync($"agentsight: {modeError}");
                return ExitCodes.Usage;
            }
            var maxCapture = common.ReadMaxCapture(parse, out var sizeError);
            if (maxCapture is null)
            {
                await Console.Error.WriteLineAsync($"agentsight: {sizeError}");
                return ExitCodes.Usage;
            }
            if (io.Read(parse, followTree: pids.Length + comms.Count > 0, out var ioError) is not { } capture)
            {
                await Console.Error.WriteLineAsync($"agentsight: {ioError}");
                return ExitCodes.Usage;
            }
            var overrides = pipeline.Read(parse);
            var output = parse.GetValue(pipeline.Output) is { Length: > 0 } file ? Path.GetFullPath(file) : null;
            web.ApplyToRecording(parse, overrides, output);
            common.ApplyRotation(parse, overrides);
            var options = new CaptureOptions
            {
                PipelineNice = parse.GetValue(common.PipelineNice),
                Tls = wantSsl,
                ProcessEvents = emit,
                NetworkEvents = true,
                Pids = pids,
                Comms = comms,
                Uid = parse.GetValue(sslUid),
                Handshakes = parse.GetValue(sslHandshake),
                BinaryPaths = parse.GetValue(common.BinaryPath) ?? [],
                HoldNewPrograms = !parse.GetValue(common.NoHold),
                ProbeScope = parse.GetValue(common.ProbeScope),
                MaxCapture = maxCapture.Value,
                TlsRingMb = parse.GetValue(common.RingMb),
                Sockets = capture.Sockets,
                Stdio = capture.Stdio,
                StdioLimit = capture.Limit,
            };
            var (code, _) = await CaptureCommand.RunAsync(global.Read(parse), overrides, !parse.GetValue(pipeline.NoSummary), options);
            return code;
        });
        return command;
    }
}
