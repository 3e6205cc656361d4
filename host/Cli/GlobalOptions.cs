using System.CommandLine;
using AgentSight.Host.Hosting;

namespace AgentSight.Host.Cli;

/// <summary>Options every command takes: where the plugins and the manifest are, and how much to log.</summary>
internal sealed class GlobalOptions
{
    public Option<string> Plugins { get; } = new("--plugins")
    {
        Description = "The plugins folder (default: the build's plugins folder, or $AGENTSIGHT_PLUGINS)",
        HelpName = "DIR",
        Recursive = true,
    };

    public Option<string> Manifest { get; } = new("--manifest")
    {
        Description = "The pipeline manifest (default: manifest.json in the plugins folder)",
        HelpName = "PATH",
        Recursive = true,
    };

    public Option<string> LogLevel { get; } = new("--log-level")
    {
        Description = "verbose, debug, information, warning or error (logs go to stderr)",
        HelpName = "LEVEL",
        DefaultValueFactory = _ => "information",
        Recursive = true,
    };

    public Option<bool> AllowWritablePlugins { get; } = new("--allow-writable-plugins")
    {
        Description = "As root, load plugins and a manifest that other users could have written (unsafe; see docs/PLUGINS.md)",
        Recursive = true,
    };

    public Option<bool> Timings { get; } = new("--timings")
    {
        Description = "At the end, print where the run's wall time went (start-up, capture, the end) to stderr",
        Recursive = true,
    };

    public GlobalOptions()
    {
        LogLevel.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (!LoggingSetup.TryParseLevel(text, out _))
            {
                result.AddError($"--log-level: \"{text}\" is not one of verbose, debug, information, warning, error");
            }
        });
    }

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Plugins);
        root.Options.Add(Manifest);
        root.Options.Add(LogLevel);
        root.Options.Add(AllowWritablePlugins);
        root.Options.Add(Timings);
    }

    public HostSettings Read(ParseResult parse)
    {
        var plugins = parse.GetValue(Plugins) is { Length: > 0 } dir ? Path.GetFullPath(dir) : HostSettings.DefaultPluginsDirectory;
        var manifest = parse.GetValue(Manifest) is { Length: > 0 } path ? path : Path.Combine(plugins, "manifest.json");
        // Validated at parse time; an unknown value never gets here.
        _ = LoggingSetup.TryParseLevel(parse.GetValue(LogLevel), out var level);
        return new HostSettings(plugins, manifest, level, parse.GetValue(AllowWritablePlugins));
    }
}
