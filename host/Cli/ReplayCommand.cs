using System.CommandLine;
using System.Globalization;
using AgentSight.Contracts;
using AgentSight.Host.Hosting;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners;
using AgentSight.Host.Runners.Replay;
using AgentSight.Host.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Cli;

/// <summary><c>replay FILE</c>: a recording through the manifest's pipeline, without root.</summary>
internal static class ReplayCommand
{
    public static Command Create(GlobalOptions global)
    {
        var file = new Argument<string>("FILE")
        {
            Description = "An NDJSON recording: ours, the original tool's collector log, or its raw sslsniff/process lines; - for stdin",
        };
        var timestamps = new Option<string>("--timestamps")
        {
            Description = "Unit of the recording's timestamps: auto, ns (epoch), ms (epoch) or boot (ns since boot)",
            DefaultValueFactory = _ => "auto",
            HelpName = "UNIT",
        };
        timestamps.AcceptOnlyFromAmong("auto", "ns", "ms", "boot");
        var bootTime = new Option<string?>("--boot-time")
        {
            Description = "When the recording machine booted (ISO 8601, e.g. 2026-11-24T09:00:00Z), for boot-relative timestamps",
            HelpName = "TIME",
        };
        var speed = new Option<double>("--speed")
        {
            Description = "Replay pace: 0 = as fast as possible (default), 1 = real time, 2 = twice as fast",
            HelpName = "FACTOR",
        };
        var analyze = new Option<string>("--analyze")
        {
            Description = "Run the analyzers that derive http, sse and llm events: auto (not when the recording already holds such events), "
                + "yes (again: recorded http, sse and llm events are left out and rebuilt from the raw TLS events) or no (no analyzer but fail-closed ones such as redact)",
            DefaultValueFactory = _ => "auto",
            HelpName = "WHEN",
        };
        analyze.AcceptOnlyFromAmong("auto", "yes", "no");
        var pipeline = new PipelineOptions();

        var command = new Command("replay", "Replay a recorded session through the pipeline the manifest describes (no root needed)");
        command.Arguments.Add(file);
        command.Options.Add(timestamps);
        command.Options.Add(bootTime);
        command.Options.Add(speed);
        command.Options.Add(analyze);
        pipeline.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            var path = parse.GetValue(file)!;
            if (path != ReplayOptions.StandardInput && !File.Exists(path))
            {
                await Console.Error.WriteLineAsync(Directory.Exists(path)
                    ? $"agentsight: {path} is a directory; replay takes a recording file"
                    : $"agentsight: no such recording: {path}");
                return ExitCodes.Usage;
            }
            DateTimeOffset? boot = null;
            if (parse.GetValue(bootTime) is { } bootText)
            {
                if (!DateTimeOffset.TryParse(bootText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    await Console.Error.WriteLineAsync($"agentsight: --boot-time: \"{bootText}\" is not a date and time (e.g. 2026-11-24T09:00:00Z)");
                    return ExitCodes.Usage;
                }
                boot = parsed;
            }
            if (parse.GetValue(speed) is var pace && (pace < 0 || double.IsNaN(pace) || double.IsInfinity(pace)))
            {
                await Console.Error.WriteLineAsync($"agentsight: --speed must be 0 or a positive factor (got {pace})");
                return ExitCodes.Usage;
            }
            var overrides = pipeline.Read(parse);
            var when = parse.GetValue(analyze)!;
            var holdsAnalyzerOutput = path != ReplayOptions.StandardInput && SessionFile.HoldsAnalyzedEvents(path);
            if (when == "yes" && holdsAnalyzerOutput && !SessionFile.HoldsRawTls(path))
            {
                await Console.Error.WriteLineAsync($"agentsight: --analyze yes: {path} holds analyzer output but not the raw TLS events it was "
                    + "built from (it was recorded without http.keep_raw), so there is nothing to analyze again; replay it without --analyze yes");
                return ExitCodes.Usage;
            }
            var analysis = PlanAnalysis(when, path, holdsAnalyzerOutput, overrides);
            var options = new ReplayOptions
            {
                Path = path,
                Timestamps = Enum.Parse<ReplayTimestampMode>(parse.GetValue(timestamps)!, ignoreCase: true),
                BootTime = boot,
                Speed = pace,
                WarnOnSources = analysis.WarnOnSources,
                DropSources = analysis.DropSources,
            };
            return await PipelineRun.ExecuteAsync(global.Read(parse), overrides, !parse.GetValue(pipeline.NoSummary),
                eventTime: true,
                services =>
                {
                    if (analysis.Notice is { } notice)
                    {
                        services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentSight.Replay").LogInformation("{Notice}", notice);
                    }
                    return [new ReplayRunner(options, new EventTimeClock(), services.GetRequiredService<ILogger<ReplayRunner>>(),
                        services.GetRequiredService<TimeProvider>())];
                });
        });
        return command;
    }

    /// <summary>What <c>--analyze</c> does to what is read, and the line that says so (or null).</summary>
    private sealed record Analysis(string? Notice, IReadOnlySet<string>? WarnOnSources = null, IReadOnlySet<string>? DropSources = null);

    /// <summary>
    /// Applies <c>--analyze</c> so that every exchange and call is counted once. A recording that went through the
    /// analyzers holds their output (and, with <c>http.keep_raw</c>, the raw TLS events too): running them again would
    /// derive every exchange and call a second time, next to the recorded ones. So <c>auto</c> leaves out the analyzers
    /// that derive those events, as <c>serve</c> and <c>report</c> do, but keeps every other stage (filters, redaction,
    /// your own analyzers), and keeps the recorded output, since a recording usually no longer holds the raw events it
    /// was built from (<c>keep_raw</c> is off by default). <c>yes</c> analyzes again: the recorded output is left out
    /// as it is read and the analyzers rebuild it from the raw events (the caller refuses a file that has none).
    /// </summary>
    private static Analysis PlanAnalysis(string when, string path, bool holdsAnalyzerOutput, Manifest.PipelineOverrides overrides)
    {
        var standardInput = path == ReplayOptions.StandardInput;
        switch (when)
        {
            case "no":
                overrides.NoAnalyzers = true;
                return new Analysis(null);
            case "auto" when holdsAnalyzerOutput:
                overrides.LeaveOutAnalyzerRoles = [StageRoles.DerivesFromTls];
                return new Analysis($"{path} already holds analyzer output ({string.Join(", ", SessionFile.DerivedSources.Order(StringComparer.Ordinal))} events): "
                    + $"the analyzers that derive them from raw TLS (role {StageRoles.DerivesFromTls}) are left out so that no exchange or call is counted twice "
                    + "(--analyze yes rebuilds that output from the recording's raw TLS events instead)");
            case "auto" when standardInput:
                // Standard input cannot be scanned first: analyzer output in it is said when it comes.
                return new Analysis(null, WarnOnSources: SessionFile.DerivedSources);
            case "yes" when holdsAnalyzerOutput || standardInput:
                // The runner says so at the first event it leaves out, and counts them.
                return new Analysis(null, DropSources: SessionFile.DerivedSources);
            default:
                return new Analysis(null);
        }
    }
}
