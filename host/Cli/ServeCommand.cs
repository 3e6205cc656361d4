using System.CommandLine;
using AgentSight.Contracts;
using AgentSight.Host.Hosting;
using AgentSight.Host.Runners;
using AgentSight.Host.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Cli;

/// <summary><c>serve SESSION</c>: a recorded session in the web UI, without root, until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create(GlobalOptions global)
    {
        var sources = new SessionSources();
        var web = new WebUiOptions();
        var speed = new Option<double>("--speed")
        {
            Description = "Replay an NDJSON recording at its recorded pace (1), or faster (2, 10…), to watch it arrive live; 0 (default) loads it at once",
            HelpName = "FACTOR",
        };
        var command = new Command("serve", "Open a recorded session (NDJSON, or a file a plugin stored it in: the session-store .db) in the web UI; no root needed");
        sources.AddTo(command);
        web.AddAddressAndAccessTo(command);
        command.Options.Add(speed);
        var otlp = PipelineOptions.CreateOtlpOption();
        command.Options.Add(otlp);
        command.SetAction(async (parse, cancellation) =>
        {
            var path = parse.GetValue(sources.Session)!;
            if (SessionSources.Problem(path) is { } problem)
            {
                await Console.Error.WriteLineAsync($"agentsight: {problem}");
                return ExitCodes.Usage;
            }
            if (parse.GetValue(speed) is var pace && (pace < 0 || !double.IsFinite(pace)))
            {
                await Console.Error.WriteLineAsync($"agentsight: --speed must be 0 or a positive factor (got {pace})");
                return ExitCodes.Usage;
            }
            var full = Path.GetFullPath(path);
            var overrides = SessionSources.Overrides();
            overrides.Set.Add(WebUiOptions.Set(RoleKeys.Server, "true"));
            overrides.Set.Add(WebUiOptions.Set(RoleKeys.Report, "\"none\""));
            web.Apply(parse, overrides);
            if (parse.GetValue(otlp) is { Length: > 0 } url)
            {
                // serve keeps only the web UI's sink; the export is a second one it asked for.
                overrides.OnlySinkRoles = [.. overrides.OnlySinkRoles ?? [], StageRoles.OtlpExport];
                PipelineOptions.ApplyOtlp(url, overrides);
            }
            SessionInput? input = null;
            return await PipelineRun.ExecuteAsync(global.Read(parse), overrides, printSummary: false, eventTime: true,
                services => [new HoldOpenRunner(SessionSources.CreateRunner(services, input!, pace),
                    services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentSight.Serve"),
                    $"All of {Path.GetFileName(full)} is in the UI; serving until Ctrl+C")],
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
