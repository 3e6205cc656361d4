namespace AgentSight.Contracts;

/// <summary>
/// The roles a plugin can declare (<see cref="IPluginFactory.Roles"/>, contracts 1.4): what the host's commands look
/// for in the manifest instead of a plugin's name, so that a renamed or replaced plugin still does the job. A plugin
/// that declares a role accepts the configuration keys the role lists (<see cref="RoleKeys"/>); docs/MANIFEST.md.
/// </summary>
public static class StageRoles
{
    /// <summary>A sink that writes every event as NDJSON to a file (<c>-o FILE</c>); keys <see cref="RoleKeys.Path"/>, <see cref="RoleKeys.MaxSizeMb"/>.</summary>
    public const string EventFile = "event-file";

    /// <summary>A sink that writes every event to standard output (<c>--quiet</c> turns it off); key <see cref="RoleKeys.Format"/> (<c>json</c> or <c>pretty</c>).</summary>
    public const string Console = "console";

    /// <summary>
    /// A sink that serves the session in the browser (<c>record</c>, <c>serve</c>, <c>report</c>); keys
    /// <see cref="RoleKeys.Port"/>, <see cref="RoleKeys.Host"/>, <see cref="RoleKeys.Token"/>,
    /// <see cref="RoleKeys.TokenFile"/>, <see cref="RoleKeys.Auth"/>, <see cref="RoleKeys.Server"/>,
    /// <see cref="RoleKeys.Report"/>, <see cref="RoleKeys.SlowestCalls"/>.
    /// </summary>
    public const string WebUi = "web-ui";

    /// <summary>A sink that stores the session in one file beside the NDJSON one (<c>session.jsonl</c> → <c>session.db</c>); key <see cref="RoleKeys.Path"/>.</summary>
    public const string SessionStore = "session-store";

    /// <summary>An analyzer that drops raw TLS events by expression (<c>--ssl-filter</c>); keys <see cref="RoleKeys.Patterns"/>, <see cref="RoleKeys.Presets"/>.</summary>
    public const string TlsFilter = "tls-filter";

    /// <summary>An analyzer that drops HTTP exchanges by expression (<c>--http-filter</c>); keys <see cref="RoleKeys.Patterns"/>, <see cref="RoleKeys.Presets"/>.</summary>
    public const string HttpFilter = "http-filter";

    /// <summary>
    /// An analyzer that replaces credentials (<c>--disable-auth-removal</c> turns it off). When it fails closed
    /// (<c>on_error: drop</c>), the host may log the events after it.
    /// </summary>
    public const string Redaction = "redaction";

    /// <summary>
    /// An analyzer that derives events from raw TLS ones (HTTP exchanges, streams, LLM calls): <c>replay</c> of a
    /// recording that already holds what it derives leaves it out, so that nothing is counted twice.
    /// </summary>
    public const string DerivesFromTls = "derives-from-tls";

    /// <summary>
    /// A sink that exports the session to an OpenTelemetry backend over OTLP (<c>--otlp URL</c>, contracts 1.5); key
    /// <see cref="RoleKeys.Endpoint"/>.
    /// </summary>
    public const string OtlpExport = "otlp-export";
}
