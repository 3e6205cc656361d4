using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using AgentSight.Contracts;
using AgentSight.Host.Hosting;

namespace AgentSight.Host.Cli;

/// <summary>The command line: global options, the commands, and how parse errors and crashes are reported.</summary>
internal static class AgentSightCli
{
    public static string Version =>
        typeof(AgentSightCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static RootCommand Create() => Create(new GlobalOptions());

    private static RootCommand Create(GlobalOptions global)
    {
        var root = new RootCommand("AgentSight: see what an AI agent really does — its LLM traffic, processes and files — from the kernel.");
        global.AddTo(root);
        foreach (var option in root.Options)
        {
            if (option is VersionOption version)
            {
                version.Action = new PrintVersionAction();
            }
        }
        root.Subcommands.Add(ReplayCommand.Create(global));
        root.Subcommands.Add(SyntheticCommand.Create(global));
        root.Subcommands.Add(ServeCommand.Create(global));
        root.Subcommands.Add(ReportCommand.Create(global));
        root.Subcommands.Add(PluginsCommand.Create(global));
        root.Subcommands.Add(RecordCommand.Create(global));
        root.Subcommands.Add(DemoCommand.Create(global));
        root.Subcommands.Add(SslCommand.Create(global));
        root.Subcommands.Add(ProcessCommand.Create(global));
        root.Subcommands.Add(TraceCommand.Create(global));
        root.Subcommands.Add(ProbesCommand.Create(global));
        root.Subcommands.Add(TopCommand.Create(global));
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var global = new GlobalOptions();
        var root = Create(global);
        var parse = root.Parse(args);
        RunTimings.Mark("command line parsed");
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"agentsight: {error.Message}");
            }
            await Console.Error.WriteLineAsync("Run 'agentsight --help' (or 'agentsight COMMAND --help') for usage.");
            return ExitCodes.Usage;
        }
        var invocation = new InvocationConfiguration
        {
            // Signals are handled by ShutdownSignal so that a first Ctrl+C drains instead of cancelling.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parse.InvokeAsync(invocation);
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"agentsight: internal error (a bug; please report it with this text): {ex}");
            return ExitCodes.InternalError;
        }
        finally
        {
            if (parse.GetValue(global.Timings))
            {
                RunTimings.Mark("the command's work done (what follows is the runtime's exit)");
                await Console.Error.WriteAsync(RunTimings.Format());
            }
        }
    }

    private sealed class PrintVersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine($"agentsight {Version} (contracts {ContractVersion.Current})");
            return ExitCodes.Success;
        }
    }
}
