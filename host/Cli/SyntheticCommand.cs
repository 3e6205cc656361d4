using System.CommandLine;
using System.Globalization;
using AgentSight.Host.Hosting;
using AgentSight.Host.Runners.Synthetic;
using AgentSight.Traffic;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Cli;

/// <summary><c>synthetic</c>: generated LLM-style HTTPS traffic through the pipeline, for demos and tests.</summary>
internal static class SyntheticCommand
{
    public static Command Create(GlobalOptions global)
    {
        var count = new Option<int>("--count")
        {
            Description = "How many LLM calls to generate",
            DefaultValueFactory = _ => 5,
            HelpName = "N",
        };
        var interval = new Option<int>("--interval")
        {
            Description = "Milliseconds to wait between calls (0: no pacing)",
            DefaultValueFactory = _ => 100,
            HelpName = "MS",
        };
        var provider = new Option<string>("--provider")
        {
            Description = "API format: mixed, anthropic, openai, openai-responses or gemini",
            DefaultValueFactory = _ => "mixed",
            HelpName = "NAME",
        };
        provider.AcceptOnlyFromAmong([.. SyntheticProviders.Names]);
        var seed = new Option<ulong>("--seed")
        {
            Description = "Seed: the same seed gives the same traffic",
            DefaultValueFactory = _ => SyntheticOptions.DefaultSeed,
            HelpName = "N",
        };
        var startTime = new Option<string?>("--start-time")
        {
            Description = "Timestamp of the first event (ISO 8601; default: now)",
            HelpName = "TIME",
        };
        var pipeline = new PipelineOptions();

        var command = new Command("synthetic", "Generate realistic LLM API traffic (TLS plaintext events) through the pipeline");
        foreach (var option in new Option[] { count, interval, provider, seed, startTime })
        {
            command.Options.Add(option);
        }
        pipeline.AddTo(command);
        command.SetAction(async (parse, cancellation) =>
        {
            long? start = null;
            if (parse.GetValue(startTime) is { } startText)
            {
                if (!DateTimeOffset.TryParse(startText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    await Console.Error.WriteLineAsync($"agentsight: --start-time: \"{startText}\" is not a date and time (e.g. 2026-11-24T10:00:00Z)");
                    return ExitCodes.Usage;
                }
                start = (parsed - DateTimeOffset.UnixEpoch).Ticks * 100;
            }
            if (parse.GetValue(count) < 0 || parse.GetValue(interval) < 0)
            {
                await Console.Error.WriteLineAsync("agentsight: --count and --interval must be 0 or more");
                return ExitCodes.Usage;
            }
            // AcceptOnlyFromAmong has already refused any other name.
            _ = SyntheticProviders.TryParse(parse.GetValue(provider), out var chosen);
            var options = new SyntheticOptions
            {
                Count = parse.GetValue(count),
                IntervalMs = parse.GetValue(interval),
                Provider = chosen!.Value,
                Seed = parse.GetValue(seed),
                StartTime = start,
            };
            return await PipelineRun.ExecuteAsync(global.Read(parse), pipeline.Read(parse), !parse.GetValue(pipeline.NoSummary),
                eventTime: true,
                services => [new SyntheticRunner(options, services.GetRequiredService<ILogger<SyntheticRunner>>(), services.GetRequiredService<TimeProvider>())]);
        });
        return command;
    }
}
