namespace AgentSight.Contracts;

/// <summary>The configuration keys a role promises (<see cref="StageRoles"/>, contracts 1.4): the host's commands set these and no others.</summary>
public static class RoleKeys
{
    /// <summary>The output file (<see cref="StageRoles.EventFile"/>, <see cref="StageRoles.SessionStore"/>): a string.</summary>
    public const string Path = "path";

    /// <summary>Size in megabytes past which the file is rotated (<see cref="StageRoles.EventFile"/>; the original tool's <c>--rotate-logs</c>): a number.</summary>
    public const string MaxSizeMb = "max_size_mb";

    /// <summary>The console's line format (<see cref="StageRoles.Console"/>): <c>json</c> or <c>pretty</c>.</summary>
    public const string Format = "format";

    /// <summary>Filter expressions (<see cref="StageRoles.TlsFilter"/>, <see cref="StageRoles.HttpFilter"/>): an array of strings.</summary>
    public const string Patterns = "patterns";

    /// <summary>
    /// Named expression sets added to the patterns (<see cref="StageRoles.TlsFilter"/>, <see cref="StageRoles.HttpFilter"/>):
    /// an array of strings; <c>record</c> is the original tool's <c>record</c> command's set.
    /// </summary>
    public const string Presets = "presets";

    /// <summary>The web UI's port (<see cref="StageRoles.WebUi"/>): 0 to 65535, 0 picks a free one.</summary>
    public const string Port = "port";

    /// <summary>The web UI's address (<see cref="StageRoles.WebUi"/>).</summary>
    public const string Host = "host";

    /// <summary>The web UI's access token (<see cref="StageRoles.WebUi"/>).</summary>
    public const string Token = "token";

    /// <summary>A file whose first line is the web UI's access token (<see cref="StageRoles.WebUi"/>).</summary>
    public const string TokenFile = "token_file";

    /// <summary>False serves the web UI without a token (<see cref="StageRoles.WebUi"/>).</summary>
    public const string Auth = "auth";

    /// <summary>False keeps the web UI's server off (<see cref="StageRoles.WebUi"/>; <c>report</c> uses its model alone).</summary>
    public const string Server = "server";

    /// <summary>Print the session's report at the end, <c>text</c> or <c>json</c> (<see cref="StageRoles.WebUi"/>).</summary>
    public const string Report = "report";

    /// <summary>A file the web UI writes its address and token to while it serves, and removes at its stop (<see cref="StageRoles.WebUi"/>; how <c>agentsight top</c> finds a recording).</summary>
    public const string AnnounceFile = "announce_file";

    /// <summary>How many of the slowest calls the report lists (<see cref="StageRoles.WebUi"/>).</summary>
    public const string SlowestCalls = "slowest_calls";

    /// <summary>The backend's address (<see cref="StageRoles.OtlpExport"/>): an http or https URL, e.g. <c>http://127.0.0.1:4317</c>.</summary>
    public const string Endpoint = "endpoint";
}
