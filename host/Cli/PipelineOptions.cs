using System.CommandLine;
using AgentSight.Host.Manifest;

namespace AgentSight.Host.Cli;

/// <summary>Options of every command that runs a pipeline: per-run changes to the manifest.</summary>
internal sealed class PipelineOptions
{
    public Option<string?> Output { get; } = new("--output", "-o")
    {
        Description = "Also write every event to this NDJSON file (enables the \"file\" stage and sets its path)",
        HelpName = "FILE",
    };

    public Option<bool> Pretty { get; } = new("--pretty")
    {
        Description = "Console shows one readable line per event instead of NDJSON",
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "No events on the console (disables the \"console\" stage)",
    };

    public Option<string[]> Enable { get; } = new("--enable")
    {
        Description = "Enable a manifest stage for this run (repeatable)",
        HelpName = "STAGE",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Disable { get; } = new("--disable")
    {
        Description = "Disable a manifest stage for this run (repeatable)",
        HelpName = "STAGE",
    };

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Set a stage's config value for this run, e.g. --set file.max_size_mb=10 (repeatable)",
        HelpName = "STAGE.KEY=VALUE",
    };

    public Option<bool> NoSummary { get; } = new("--no-summary")
    {
        Description = "Do not print the pipeline summary table on stderr at the end",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Output, Pretty, Quiet, Enable, Disable, Set, NoSummary })
        {
            command.Options.Add(option);
        }
    }

    public PipelineOverrides Read(ParseResult parse)
    {
        var overrides = new PipelineOverrides();
        overrides.Enable.AddRange(parse.GetValue(Enable) ?? []);
        overrides.Disable.AddRange(parse.GetValue(Disable) ?? []);
        if (parse.GetValue(Output) is { Length: > 0 } output)
        {
            overrides.Enable.Add("file");
            // Quoted as JSON so a path that looks like a number stays a string.
            overrides.Set.Add($"file.path={System.Text.Json.JsonSerializer.Serialize(Path.GetFullPath(output))}");
        }
        if (parse.GetValue(Pretty))
        {
            overrides.Set.Add("console.format=pretty");
        }
        if (parse.GetValue(Quiet))
        {
            overrides.Disable.Add("console");
        }
        overrides.Set.AddRange(parse.GetValue(Set) ?? []);
        return overrides;
    }
}
