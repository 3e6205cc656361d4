using System.CommandLine;
using System.Globalization;
using AgentSight.Host.Capture;
using AgentSight.Host.Hosting;

namespace AgentSight.Host.Cli;

/// <summary>
/// <c>ssl</c>: TLS plaintext of every process, or of some (<c>-p</c>, <c>-c</c>, <c>-u</c>), on stdout; the original
/// tool's <c>ssl</c> command, with sslsniff's flags as options (also accepted after <c>--</c>, as the original passed them).
/// </summary>
internal static class SslCommand
{
    public static Command Create(GlobalOptions global)
    {
        var pid = new Option<int[]>("--pid", "-p") { Description = "Only this process and its children; repeatable", HelpName = "PID" };
        var comm = new Option<string[]>("--comm", "-c") { Description = "Only processes with this name and their children; repeatable", HelpName = "COMM" };
        var uid = new Option<uint?>("--uid", "-u") { Description = "Only calls made by this user id", HelpName = "UID" };
        var handshake = new Option<bool>("--handshake") { Description = "Also emit HANDSHAKE events (completed TLS handshakes)" };
        var legacy = new Argument<string[]>("SSLSNIFF_ARGS")
        {
            Description = "The original's sslsniff flags after --: -p PID, -u UID, -c COMM, -h/--handshake, -o/--no-openssl, -v",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var common = new CaptureCommand.CommonOptions();
        var pipeline = new PipelineOptions();
        var web = new WebUiOptions();

        var command = new Command("ssl", "Capture TLS plaintext (SSL_read/SSL_write) of every process or of the ones chosen, until Ctrl+C; needs root");
        command.Options.Add(pid);
        command.Options.Add(comm);
        command.Options.Add(uid);
        command.Options.Add(handshake);
        common.AddTo(command);
        pipeline.AddTo(command);
        web.AddOptInTo(command);
        command.Arguments.Add(legacy);
        command.SetAction(async (parse, cancellation) =>
        {
            var pids = (parse.GetValue(pid) ?? []).ToList();
            var comms = CaptureCommand.Comms(parse.GetValue(comm));
            var user = parse.GetValue(uid);
            var handshakes = parse.GetValue(handshake);
            var systemLibraries = true;
            var error = ReadLegacy(parse.GetValue(legacy) ?? [], pids, comms, ref user, ref handshakes, ref systemLibraries);
            var maxCapture = common.ReadMaxCapture(parse, out var sizeError);
            if (error is not null || maxCapture is null)
            {
                await Console.Error.WriteLineAsync($"agentsight: {error ?? sizeError}");
                return ExitCodes.Usage;
            }
            var overrides = pipeline.Read(parse);
            web.ApplyIfAsked(parse, overrides);
            common.ApplyRotation(parse, overrides);
            var options = new CaptureOptions
            {
                PipelineNice = parse.GetValue(common.PipelineNice),
                Tls = true,
                ProcessEvents = ProcessEmit.None,
                Pids = pids,
                Comms = comms,
                Uid = user,
                Handshakes = handshakes,
                SystemLibraries = systemLibraries,
                BinaryPaths = parse.GetValue(common.BinaryPath) ?? [],
                HoldNewPrograms = !parse.GetValue(common.NoHold),
                ProbeScope = parse.GetValue(common.ProbeScope),
                MaxCapture = maxCapture.Value,
                TlsRingMb = parse.GetValue(common.RingMb),
            };
            var (code, _) = await CaptureCommand.RunAsync(global.Read(parse), overrides, !parse.GetValue(pipeline.NoSummary), options);
            return code;
        });
        return command;
    }

    /// <summary>sslsniff's own flags, as the original passed them through (<c>agentsight ssl -- -p 1234 --handshake</c>).</summary>
    internal static string? ReadLegacy(IReadOnlyList<string> args, List<int> pids, List<string> comms, ref uint? uid, ref bool handshakes,
        ref bool systemLibraries)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var (flag, inline) = Split(args[i]);
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
                case "-u" or "--uid":
                    if (!uint.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var u))
                    {
                        return $"{flag} needs a user id";
                    }
                    uid = u;
                    break;
                case "-c" or "--comm":
                    if (Value() is not { Length: > 0 } c)
                    {
                        return $"{flag} needs a process name";
                    }
                    comms.AddRange(CaptureCommand.Comms([c]));
                    break;
                case "-h" or "--handshake":
                    handshakes = true;
                    break;
                case "-o" or "--no-openssl":
                    systemLibraries = false;
                    break;
                case "-g" or "--no-gnutls" or "-n" or "--no-nss" or "-v" or "--verbose":
                    // GnuTLS and NSS were never attached by the original; verbosity is --log-level debug here.
                    break;
                default:
                    return $"sslsniff flag \"{args[i]}\" is not known (see agentsight ssl --help)";
            }
        }
        return null;
    }

    internal static (string Flag, string? Inline) Split(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }
}
