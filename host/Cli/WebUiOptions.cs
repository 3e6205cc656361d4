using System.CommandLine;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Manifest;

namespace AgentSight.Host.Cli;

/// <summary>
/// The web UI's options: <c>--port</c>, <c>--host</c>, its access (<c>--token</c>, <c>--token-file</c>,
/// <c>--no-auth</c>), and for commands that start it by default (<c>record</c>,
/// <c>trace</c>, <c>demo</c>) <c>--no-server</c>; the capture commands that do not (<c>ssl</c>, <c>process</c>) start it
/// with the original tool's <c>--server</c>. <see cref="Apply"/> turns them into manifest overrides of the stage of the
/// web UI's role (<c>StageRoles.WebUi</c>: the <c>web</c> plugin, or whatever plugin declares it).
/// </summary>
internal sealed class WebUiOptions
{
    // --server-port: the original tool's name for it.
    public Option<int?> Port { get; } = new("--port", "--server-port")
    {
        Description = "Port of the web UI (default 7395; 0 picks a free one)",
        HelpName = "N",
    };

    public Option<string?> Host { get; } = new("--host")
    {
        Description = "Address of the web UI (default 127.0.0.1; another one exposes decrypted traffic to whoever can reach it)",
        HelpName = "ADDRESS",
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Access token of the web UI, for scripts that must know it (default: a random one, printed in the URL); other users see it in ps, --token-file does not show",
        HelpName = "TOKEN",
    };

    public Option<FileInfo?> TokenFile { get; } = new("--token-file")
    {
        Description = "Read the web UI's access token from the first line of this file",
        HelpName = "FILE",
    };

    public Option<bool> NoAuth { get; } = new("--no-auth")
    {
        Description = "Serve the web UI without a token: every user of this machine can read the session (refused on a non-loopback --host)",
    };

    public Option<bool> NoServer { get; } = new("--no-server")
    {
        Description = "Do not start the web UI",
    };

    public Option<bool> Server { get; } = new("--server")
    {
        Description = "Start the web UI (the original tool's flag)",
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

    /// <summary>Adds the options of a command that starts the UI by default; <c>--server</c> is accepted and changes nothing.</summary>
    public void AddTo(Command command)
    {
        AddAddressAndAccessTo(command);
        command.Options.Add(NoServer);
        Server.Hidden = true;
        command.Options.Add(Server);
    }

    /// <summary>Adds the options of a command that starts the UI only when asked (<c>--server</c>).</summary>
    public void AddOptInTo(Command command)
    {
        command.Options.Add(Server);
        AddAddressAndAccessTo(command);
    }

    /// <summary>Adds where the UI listens and who may read it (<c>serve</c>, which always serves, has only these).</summary>
    public void AddAddressAndAccessTo(Command command)
    {
        command.Options.Add(Port);
        command.Options.Add(Host);
        command.Options.Add(Token);
        command.Options.Add(TokenFile);
        command.Options.Add(NoAuth);
    }

    /// <summary>For an opt-in command: the UI when <c>--server</c> was given, nothing otherwise.</summary>
    public void ApplyIfAsked(ParseResult parse, PipelineOverrides overrides)
    {
        if (parse.GetValue(Server))
        {
            Apply(parse, overrides);
        }
    }

    /// <summary>True when this run will serve the UI.</summary>
    public bool Serves(ParseResult parse) => !parse.GetValue(NoServer);

    /// <summary>
    /// For commands that record a session (<c>record</c>, <c>trace</c>, <c>demo</c>): the UI on (unless
    /// <c>--no-server</c>), and the session also stored in SQLite beside the NDJSON file (<c>session-….jsonl</c> →
    /// <c>session-….db</c>), which <c>serve</c> and <c>report</c> open with the run's counters and losses.
    /// </summary>
    /// <param name="parse">The command line.</param>
    /// <param name="overrides">The run's overrides.</param>
    /// <param name="sessionFile">The NDJSON file the session is recorded to, or null when there is none.</param>
    /// <param name="requireUi">The UI is the point of the command (<c>demo</c>): a manifest without a <c>web</c> stage is an error.</param>
    /// <remarks>
    /// Otherwise a manifest without a <c>web</c> or <c>session-store</c> stage records without them; only an explicit
    /// <c>--port</c>, <c>--host</c> or access option insists on the UI (and names the missing stage).
    /// </remarks>
    public void ApplyToRecording(ParseResult parse, PipelineOverrides overrides, string? sessionFile, bool requireUi = false)
    {
        if (parse.GetValue(NoServer))
        {
            overrides.DisableIfPresent.Add(WebUi);
        }
        else if (requireUi || parse.GetValue(Port) is not null || parse.GetValue(Host) is not null
                 || parse.GetValue(Token) is not null || parse.GetValue(TokenFile) is not null || parse.GetValue(NoAuth))
        {
            Apply(parse, overrides);
        }
        else
        {
            overrides.EnableIfPresent.Add(WebUi);
        }
        if (sessionFile is not null)
        {
            var store = PipelineOverrides.Role(StageRoles.SessionStore);
            overrides.EnableIfPresent.Add(store);
            overrides.SetIfPresent.Add((store, RoleKeys.Path, JsonValue.Create(Path.ChangeExtension(sessionFile, ".db"))));
        }
    }

    /// <summary>Enables the web UI's stage (unless <c>--no-server</c>) with the given port and address.</summary>
    public void Apply(ParseResult parse, PipelineOverrides overrides)
    {
        if (parse.GetResult(NoServer) is not null && parse.GetValue(NoServer))
        {
            overrides.Disable.Add(WebUi);
            return;
        }
        overrides.Enable.Add(WebUi);
        if (parse.GetValue(Port) is { } port)
        {
            overrides.Set.Add(Set(RoleKeys.Port, port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (parse.GetValue(Host) is { Length: > 0 } host)
        {
            overrides.Set.Add(Set(RoleKeys.Host, PipelineOverrides.Json(host)));
        }
        // The plugin's config checks them (length, both given, --no-auth with a token, a non-loopback host).
        if (parse.GetValue(Token) is { } token)
        {
            overrides.Set.Add(Set(RoleKeys.Token, PipelineOverrides.Json(token)));
        }
        if (parse.GetValue(TokenFile) is { } file)
        {
            overrides.Set.Add(Set(RoleKeys.TokenFile, PipelineOverrides.Json(file.FullName)));
        }
        if (parse.GetValue(NoAuth))
        {
            overrides.Set.Add(Set(RoleKeys.Auth, "false"));
        }
    }

    /// <summary>The stages of the web UI's role (the <c>web</c> plugin's), wherever a stage id goes.</summary>
    public static string WebUi { get; } = PipelineOverrides.Role(StageRoles.WebUi);

    /// <summary>A <c>--set</c> of a key of the web UI's role; <paramref name="json"/> is the value as JSON.</summary>
    public static string Set(string key, string json) => PipelineOverrides.SetOfRole(StageRoles.WebUi, key, json);
}
