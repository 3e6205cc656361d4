using System.CommandLine;
using System.Text.Json;
using AgentSight.Host.Manifest;

namespace AgentSight.Host.Cli;

/// <summary>
/// The web UI's options: <c>--port</c>, <c>--host</c>, and for commands that start it by default (<c>record</c>,
/// <c>trace</c>) <c>--no-server</c>. <see cref="Apply"/> turns them into manifest overrides of the <c>web</c> stage.
/// </summary>
internal sealed class WebUiOptions
{
    public Option<int?> Port { get; } = new("--port")
    {
        Description = "Port of the web UI (default 7395; 0 picks a free one)",
        HelpName = "N",
    };

    public Option<string?> Host { get; } = new("--host")
    {
        Description = "Address of the web UI (default 127.0.0.1; another one exposes decrypted traffic to whoever can reach it)",
        HelpName = "ADDRESS",
    };

    public Option<bool> NoServer { get; } = new("--no-server")
    {
        Description = "Do not start the web UI",
    };

    public WebUiOptions()
    {
        Port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 0 or > 65535)
            {
                result.AddError("--port must be between 0 and 65535");
            }
        });
    }

    /// <summary>Adds all three to a command that starts the UI by default.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Port);
        command.Options.Add(Host);
        command.Options.Add(NoServer);
    }

    /// <summary>
    /// For commands that record a session (<c>record</c>, <c>trace</c>, <c>demo</c>): the UI on (unless
    /// <c>--no-server</c>), and the session also stored in SQLite beside the NDJSON file (<c>session-….jsonl</c> →
    /// <c>session-….db</c>), which <c>serve</c> and <c>report</c> open with the run's counters and losses.
    /// </summary>
    /// <param name="parse">The command line.</param>
    /// <param name="overrides">The run's overrides.</param>
    /// <param name="sessionFile">The NDJSON file the session is recorded to, or null when there is none.</param>
    public void ApplyToRecording(ParseResult parse, PipelineOverrides overrides, string? sessionFile)
    {
        Apply(parse, overrides);
        if (sessionFile is not null)
        {
            overrides.Enable.Add("session-store");
            overrides.Set.Add($"session-store.path={JsonSerializer.Serialize(Path.ChangeExtension(sessionFile, ".db"))}");
        }
    }

    /// <summary>Enables the <c>web</c> stage (unless <c>--no-server</c>) with the given port and address.</summary>
    public void Apply(ParseResult parse, PipelineOverrides overrides)
    {
        if (parse.GetResult(NoServer) is not null && parse.GetValue(NoServer))
        {
            overrides.Disable.Add("web");
            return;
        }
        overrides.Enable.Add("web");
        if (parse.GetValue(Port) is { } port)
        {
            overrides.Set.Add($"web.port={port}");
        }
        if (parse.GetValue(Host) is { Length: > 0 } host)
        {
            overrides.Set.Add($"web.host={JsonSerializer.Serialize(host)}");
        }
    }
}
