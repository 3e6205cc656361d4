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

    /// <summary>Every command, by the name that selects it, in the order help lists them.</summary>
    internal static readonly (string Name, Func<GlobalOptions, Command> Create)[] Commands =
    [
        ("replay", ReplayCommand.Create),
        ("synthetic", SyntheticCommand.Create),
        ("serve", ServeCommand.Create),
        ("report", ReportCommand.Create),
        ("plugins", PluginsCommand.Create),
        ("record", RecordCommand.Create),
        ("demo", DemoCommand.Create),
        ("ssl", SslCommand.Create),
        ("process", ProcessCommand.Create),
        ("trace", TraceCommand.Create),
        ("probes", ProbesCommand.Create),
        ("top", TopCommand.Create),
    ];

    /// <summary>
    /// The command line's tree. When <paramref name="args"/> start with a command's name, only that command is built:
    /// building all twelve, with their options and help texts, cost about 25 ms of every start. Anything else (help,
    /// version, a global option first, a mistyped command) gets the whole tree, for its help and suggestions.
    /// </summary>
    private static RootCommand Create(GlobalOptions global, string[] args)
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
        var chosen = args.Length > 0 ? Array.FindIndex(Commands, c => c.Name == args[0]) : -1;
        foreach (var (_, create) in chosen >= 0 ? [Commands[chosen]] : Commands)
        {
            root.Subcommands.Add(create(global));
        }
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var global = new GlobalOptions();
        var root = Create(global, args);
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
