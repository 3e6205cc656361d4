using System.CommandLine;
using System.Globalization;
using AgentSight.Host.Hosting;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners;
using AgentSight.Host.Runners.Replay;
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
        var pipeline = new PipelineOptions();

        var command = new Command("replay", "Replay a recorded session through the pipeline the manifest describes (no root needed)");
        command.Arguments.Add(file);
        command.Options.Add(timestamps);
        command.Options.Add(bootTime);
        command.Options.Add(speed);
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
            var options = new ReplayOptions
            {
                Path = path,
                Timestamps = Enum.Parse<ReplayTimestampMode>(parse.GetValue(timestamps)!, ignoreCase: true),
                BootTime = boot,
                Speed = pace,
            };
            return await PipelineRun.ExecuteAsync(global.Read(parse), pipeline.Read(parse), !parse.GetValue(pipeline.NoSummary),
                eventTime: true,
                services => [new ReplayRunner(options, new EventTimeClock(), services.GetRequiredService<ILogger<ReplayRunner>>(),
                    services.GetRequiredService<TimeProvider>())]);
        });
        return command;
    }
}
