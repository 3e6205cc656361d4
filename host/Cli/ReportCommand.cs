using System.CommandLine;
using AgentSight.Contracts;
using AgentSight.Host.Hosting;
using AgentSight.Host.Sessions;
using Serilog.Events;

namespace AgentSight.Host.Cli;

/// <summary>
/// <c>report SESSION [--json]</c>: a recorded session summed up on the terminal. The figures come from the web plugin's
/// session model (run as the only sink, without its server), so the report and the UI always agree.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(GlobalOptions global)
    {
        var sources = new SessionSources();
        var json = new Option<bool>("--json") { Description = "One JSON document instead of text" };
        var slowest = new Option<int>("--slowest")
        {
            Description = "How many of the slowest LLM calls to list",
            DefaultValueFactory = _ => 10,
            HelpName = "N",
        };
        var command = new Command("report", "Sum up a recorded session: calls and tokens per model, slowest calls, processes, files written, drops");
        sources.AddTo(command);
        command.Options.Add(json);
        command.Options.Add(slowest);
        command.SetAction(async (parse, cancellation) =>
        {
            var path = parse.GetValue(sources.Session)!;
            if (SessionSources.Problem(path) is { } problem)
            {
                await Console.Error.WriteLineAsync($"agentsight: {problem}");
                return ExitCodes.Usage;
            }
            if (parse.GetValue(slowest) < 0)
            {
                await Console.Error.WriteLineAsync("agentsight: --slowest must be 0 or more");
                return ExitCodes.Usage;
            }
            var full = Path.GetFullPath(path);
            var overrides = SessionSources.Overrides();
            overrides.Set.Add(WebUiOptions.Set(RoleKeys.Server, "false"));
            overrides.Set.Add(WebUiOptions.Set(RoleKeys.Report, parse.GetValue(json) ? "\"json\"" : "\"text\""));
            overrides.Set.Add(WebUiOptions.Set(RoleKeys.SlowestCalls, parse.GetValue(slowest).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var settings = global.Read(parse);
            // The report is the output: progress lines would only get in its way, unless asked for.
            if (parse.GetResult(global.LogLevel) is null or { Implicit: true })
            {
                settings = settings with { LogLevel = LogEventLevel.Warning };
            }
            SessionInput? input = null;
            return await PipelineRun.ExecuteAsync(settings, overrides, printSummary: false, eventTime: true,
                services => [SessionSources.CreateRunner(services, input!)],
                prepare: services =>
                {
                    var problem = sources.Prepare(services, parse, full, overrides, out var opened);
                    input = opened;
                    return problem;
                });
        });
        return command;
    }
}
