using System.CommandLine;
using System.Globalization;
using AgentSight.Contracts;
using AgentSight.Host.Capture;
using AgentSight.Host.Hosting;
using AgentSight.Host.Manifest;
using AgentSight.Host.Runners;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Cli;

/// <summary>What the live-capture commands (<c>record</c>, <c>ssl</c>, <c>process</c>, <c>trace</c>, <c>demo</c>) share.</summary>
internal static class CaptureCommand
{
    /// <summary>Options every capture command takes.</summary>
    public sealed class CommonOptions
    {
        public Option<string[]> BinaryPath { get; } = new("--binary-path")
        {
            Description = "Also probe this program or library for TLS up front (what discovery finds in it: see the probes command); repeatable",
            HelpName = "PATH",
        };

        public Option<bool> NoHold { get; } = new("--no-hold")
        {
            Description = "Do not stop a followed process when it runs a program not looked into yet (a few ms, once per program, until its TLS "
                + "functions are probed); its first connections may then be missed, and are reported",
        };

        public Option<ProbeScope> ProbeScope { get; } = new("--probe-scope")
        {
            Description = "Where TLS probes go when processes are followed: followed (in each followed process that runs TLS code: no other "
                + "process pays for them) or all (in the library itself, for every process that maps it). See docs/CAPTURE.md",
            HelpName = "followed|all",
            DefaultValueFactory = _ => Capture.ProbeScope.Followed,
        };

        public Option<string?> MaxCapture { get; } = new("--max-capture")
        {
            Description = "Bytes captured per TLS call at most, e.g. 256K or 1M (default 4M, the most); what is cut is counted in bytes_lost",
            HelpName = "SIZE",
        };

        public Option<int> RingMb { get; } = new("--ring-mb")
        {
            Description = "Size of the kernel ring buffer for TLS records, in MiB (a power of two)",
            HelpName = "MIB",
            DefaultValueFactory = _ => CaptureOptions.DefaultTlsRingMb,
        };

        public Option<int> PipelineNice { get; } = new("--pipeline-nice")
        {
            Description = "Nice value of the host's analyzer and sink threads while the capture runs, so that the traced programs come "
                + "first (0: the host's own priority); back to the host's own while the pipeline falls behind. See docs/CAPTURE.md",
            HelpName = "0-19",
            DefaultValueFactory = _ => CaptureOptions.DefaultPipelineNice,
        };

        public Option<bool> RotateLogs { get; } = new("--rotate-logs")
        {
            Description = "Rotate the -o file when it passes --max-log-size (keeps 5 files)",
        };

        public Option<int?> MaxLogSize { get; } = new("--max-log-size")
        {
            Description = "Rotation size for --rotate-logs, in MB (default 10)",
            HelpName = "MB",
        };

        public void AddTo(Command command, bool tls = true)
        {
            if (tls)
            {
                command.Options.Add(BinaryPath);
                command.Options.Add(MaxCapture);
                command.Options.Add(RingMb);
                command.Options.Add(NoHold);
                command.Options.Add(ProbeScope);
            }
            command.Options.Add(PipelineNice);
            command.Options.Add(RotateLogs);
            command.Options.Add(MaxLogSize);
            AddDropped(command);
        }

        /// <summary>Reads --max-capture; null and an error message when it is not a size.</summary>
        public long? ReadMaxCapture(ParseResult parse, out string? error)
        {
            error = null;
            var text = parse.GetValue(MaxCapture);
            if (text is null)
            {
                return CaptureOptions.DefaultMaxCapture;
            }
            if (TryParseSize(text, out var bytes))
            {
                return bytes;
            }
            error = $"--max-capture: \"{text}\" is not a size (e.g. 65536, 256K, 1M)";
            return null;
        }

        /// <summary>The file sink's rotation, from the original tool's flags.</summary>
        public void ApplyRotation(ParseResult parse, PipelineOverrides overrides)
        {
            if (parse.GetValue(RotateLogs))
            {
                overrides.Set.Add(PipelineOverrides.SetOfRole(StageRoles.EventFile, RoleKeys.MaxSizeMb,
                    (parse.GetValue(MaxLogSize) ?? 10).ToString(CultureInfo.InvariantCulture)));
            }
        }
    }

    /// <summary>The original tool's flags that have no meaning here: each explains itself instead of "unknown option".</summary>
    private static readonly (string Name, string Why)[] DroppedFlags =
    [
        ("--log-file", "it only chose the file the web UI served; the UI shows the session being recorded, and -o FILE names its file"),
        ("--http-parser", "HTTP parsing is the default manifest's http stage, on by default (--disable http turns it off)"),
        ("--sse-merge", "SSE merging is the default manifest's sse stage, on by default (--disable sse turns it off)"),
        ("--http-raw-data", "the http stage keeps the raw ssl events with --set http.keep_raw=true"),
        ("--ssl-http", "HTTP parsing is the default manifest's http stage, on by default (--disable http turns it off)"),
        ("--ssl-raw-data", "the http stage keeps the raw ssl events with --set http.keep_raw=true"),
        ("--duration", "every process is recorded; filter short-lived ones afterwards (replay with an analyzer)"),
    ];

    private static void AddDropped(Command command)
    {
        foreach (var (name, why) in DroppedFlags)
        {
            var option = new Option<string?>(name) { Hidden = true, Arity = ArgumentArity.ZeroOrOne };
            option.Validators.Add(result => result.AddError($"{name} is not supported: {why} (see docs/CAPTURE.md)"));
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// <c>record</c> and <c>demo</c>: every event to the session file, none on the console (the command's own output
    /// is on the terminal) unless <c>--pretty</c>, and the original <c>record</c>'s filters.
    /// </summary>
    public static PipelineOverrides RecordingOverrides(PipelineOptions pipeline, ParseResult parse, string sessionFile)
    {
        var overrides = pipeline.Read(parse);
        var console = PipelineOverrides.Role(StageRoles.Console);
        var eventFile = PipelineOverrides.Role(StageRoles.EventFile);
        overrides.DisableIfPresent.Add(console);
        AddRecordPresets(overrides);
        if (parse.GetValue(pipeline.Pretty))
        {
            overrides.Enable.Add(console);
        }
        overrides.Require.Add((eventFile, "the session file is written through it; -o FILE chooses where"));
        // First, so that a --set of the path of the user's still wins.
        overrides.Set.Insert(0, PipelineOverrides.SetOfRole(StageRoles.EventFile, RoleKeys.Path, PipelineOverrides.Json(sessionFile)));
        return overrides;
    }

    /// <summary>
    /// The original <c>record</c> command's filters, as the default manifest carries them (docs/FILTERS.md): the raw
    /// leftovers filter after the analyzers, and the HTTP filter's <c>record</c> preset. Only when the manifest has
    /// those stages; the user's <c>--disable</c>/<c>--set</c> still win.
    /// </summary>
    public static void AddRecordPresets(PipelineOverrides overrides)
    {
        // Named by its id in the default manifest, the one stage id the host knows: it is the second stage of the
        // tls-filter role (after the analyzers, for the raw events they left), which a role alone cannot tell from the
        // first. A manifest without a stage of that id records without it.
        overrides.EnableIfPresent.Add(LeftoversFilterStage);
        overrides.SetIfPresent.Add((PipelineOverrides.Role(StageRoles.HttpFilter), RoleKeys.Presets, new System.Text.Json.Nodes.JsonArray("record")));
    }

    /// <summary>The default manifest's raw leftovers filter (see <see cref="AddRecordPresets"/>).</summary>
    public const string LeftoversFilterStage = "ssl-filter/leftovers";

    /// <summary>Process names from repeatable, possibly comma-separated <c>-c</c> values (the original's process -c took a list).</summary>
    public static List<string> Comms(IEnumerable<string>? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];

    /// <summary>Parses 65536, 64K, 64KiB, 1M, 1MiB, 4M (binary units).</summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var trimmed = text.Trim();
        var multiplier = 1L;
        var unitStart = trimmed.Length;
        while (unitStart > 0 && char.IsLetter(trimmed[unitStart - 1]))
        {
            unitStart--;
        }
        switch (trimmed[unitStart..].ToUpperInvariant())
        {
            case "" or "B":
                break;
            case "K" or "KB" or "KIB":
                multiplier = 1024;
                break;
            case "M" or "MB" or "MIB":
                multiplier = 1024 * 1024;
                break;
            default:
                return false;
        }
        if (!long.TryParse(trimmed[..unitStart], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        bytes = number * multiplier;
        return true;
    }

    /// <summary>
    /// Validates the options, checks the machine (one line and exit 1 when something is missing), then runs the
    /// capture through the manifest's pipeline.
    /// </summary>
    /// <param name="settings">Global settings.</param>
    /// <param name="overrides">Per-run manifest changes.</param>
    /// <param name="printSummary">Print the summary table at the end.</param>
    /// <param name="options">What to capture.</param>
    /// <param name="childOwnsInterrupt">The recorded command owns Ctrl+C (see <see cref="ShutdownSignal"/>).</param>
    /// <param name="banner">A line printed once the checks have passed (the pipeline's and the outputs' too).</param>
    /// <param name="decorate">Wraps the capture runners (the demo keeps the session open after its agent ends).</param>
    /// <param name="stop">When it completes, the capture ends as at a first Ctrl+C (<c>top</c>'s q).</param>
    /// <param name="started">Called once the checks have passed, with the announcement file's path (null when not announced).</param>
    public static async Task<(int ExitCode, CaptureHub? Hub)> RunAsync(HostSettings settings, PipelineOverrides overrides, bool printSummary,
        CaptureOptions options, bool childOwnsInterrupt = false, string? banner = null,
        Func<CaptureHub, IServiceProvider, IReadOnlyList<IRunner>>? decorate = null, Task? stop = null,
        Action<string?>? started = null)
    {
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync($"agentsight: {problem}");
            }
            return (ExitCodes.Usage, null);
        }
        var preflight = new Preflight().Check(needTracefs: options.ProcessEvents.HasFlag(ProcessEmit.Open), needUprobes: options.Tls);
        if (preflight is not null)
        {
            await Console.Error.WriteLineAsync($"agentsight: {preflight}");
            return (ExitCodes.Failure, null);
        }
        // Where agentsight top finds this recording (when the web UI runs).
        using var announcement = LiveAnnouncement.Prepare(overrides, out var announceProblem);
        if (announceProblem is not null)
        {
            await Console.Error.WriteLineAsync($"agentsight: {announceProblem}");
        }
        started?.Invoke(announcement?.FilePath);
        CaptureHub? hub = null;
        var captured = false;
        try
        {
            var code = await PipelineRun.ExecuteAsync(settings, overrides, printSummary, eventTime: false, services =>
            {
                hub ??= new CaptureHub(options, services.GetRequiredService<ILoggerFactory>());
                captured = true;
                return decorate is null ? hub.Runners : decorate(hub, services);
            }, childOwnsInterrupt, prepare: services =>
            {
                // Loading and attaching overlap with the manifest, the plugins and the pipeline's start.
                hub = new CaptureHub(options, services.GetRequiredService<ILoggerFactory>());
                hub.Prepare();
                return null;
            }, banner: banner, stop: stop, finish: () => hub?.Abandon());
            // No hub when the run ended before the capture was handed to the pipeline (callers read that as "not started").
            return (code, captured ? hub : null);
        }
        finally
        {
            hub?.Abandon();
        }
    }

    /// <summary>Gives the file to the user who ran sudo (it was created by root in their folder).</summary>
    public static void GiveToInvokingUser(string path, UserIdentity? user)
    {
        if (user is not null && Path.Exists(path))
        {
            _ = Posix.Chown(path, user.Uid, user.Gid);
        }
    }
}
