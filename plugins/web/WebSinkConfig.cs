using System.Net;
using AgentSight.Contracts;
using AgentSight.Plugins.Web.Server;

namespace AgentSight.Plugins.Web;

/// <summary>Configuration of the <c>web</c> sink.</summary>
public sealed class WebSinkConfig : PluginConfig
{
    /// <summary>The default port: 7395.</summary>
    public const int DefaultPort = 7395;

    /// <summary>
    /// The address to listen on (<c>host</c>); default <c>127.0.0.1</c>. The UI shows decrypted traffic: another
    /// address is used only when given here, and then with a warning.
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port (<c>port</c>); default 7395; 0 picks a free one (the log says which).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>Run the web server (<c>server</c>); default true. False keeps only the index, for <c>report</c>.</summary>
    public bool Server { get; set; } = true;

    /// <summary>Print a report of the session on stdout when it ends (<c>report</c>): <c>none</c> (default), <c>text</c> or <c>json</c>.</summary>
    public WebReportFormat Report { get; set; } = WebReportFormat.None;

    /// <summary>How many of the slowest LLM calls the report lists (<c>slowest_calls</c>); default 10.</summary>
    public int SlowestCalls { get; set; } = 10;

    /// <summary>
    /// Events kept in memory for the event log (<c>max_events</c>); default 2,000,000. Beyond it the oldest leave the
    /// log (counted as <c>evicted_from_memory</c>); LLM calls, processes and files are kept whole.
    /// </summary>
    public int MaxEvents { get; set; } = 2_000_000;

    /// <summary>How often live updates are pushed to browsers, in milliseconds (<c>live_interval_ms</c>); default 100.</summary>
    public int LiveIntervalMs { get; set; } = 100;

    /// <summary>
    /// Require the access token on every request (<c>auth</c>); default true. False (<c>--no-auth</c>) lets every
    /// local user read the session, and is refused on an address other than loopback.
    /// </summary>
    public bool Auth { get; set; } = true;

    /// <summary>
    /// The access token (<c>token</c>); default none: a random one is made at start. A chosen token is for scripts
    /// that must know it in advance; <see cref="TokenFile"/> keeps it off the command line (which other users see in
    /// <c>ps</c>).
    /// </summary>
    public string? Token { get; set; }

    /// <summary>A file whose first line is the access token (<c>token_file</c>); default none.</summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// A file to write the UI's address with its token into once the server listens (<c>announce_file</c>), removed
    /// when the session ends; default none. A file that exists is written in place (its owner and mode kept), a new one
    /// is made readable by its owner only. <c>record</c>, <c>trace</c> and <c>demo</c> set it to
    /// <c>/run/agentsight/live/PID.url</c>, which is how <c>agentsight top</c> finds a running recording.
    /// </summary>
    public string? AnnounceFile { get; set; }

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (!IsAddress(Host))
        {
            yield return new ConfigError("host", $"must be an IP address such as 127.0.0.1 or ::1, or localhost (got \"{Host}\")");
        }
        if (Port is < 0 or > 65535)
        {
            yield return new ConfigError("port", $"must be between 0 (any free port) and 65535 (got {Port})");
        }
        if (!Enum.IsDefined(Report))
        {
            yield return new ConfigError("report", $"must be none, text or json (got {(int)Report})");
        }
        if (SlowestCalls < 0)
        {
            yield return new ConfigError("slowest_calls", $"must be 0 or more (got {SlowestCalls})");
        }
        if (MaxEvents < 1000)
        {
            yield return new ConfigError("max_events", $"must be at least 1000 (got {MaxEvents})");
        }
        if (LiveIntervalMs is < 10 or > 10_000)
        {
            yield return new ConfigError("live_interval_ms", $"must be between 10 and 10000 (got {LiveIntervalMs})");
        }
        foreach (var error in ValidateAccess())
        {
            yield return error;
        }
    }

    private IEnumerable<ConfigError> ValidateAccess()
    {
        var chosen = Token is not null || TokenFile is not null;
        if (Token is not null && TokenFile is not null)
        {
            yield return new ConfigError("token", "give token or token_file, not both");
        }
        if (!Auth && chosen)
        {
            yield return new ConfigError("auth", "is false (--no-auth) but a token is given; drop one of them");
        }
        if (Token is not null && AccessGate.Problem(Token) is { } problem)
        {
            yield return new ConfigError("token", problem);
        }
        if (TokenFile is not null && ReadTokenFile(TokenFile, out _) is { } fileProblem)
        {
            yield return new ConfigError("token_file", fileProblem);
        }
        if (IsAddress(Host) && !IPAddress.IsLoopback(Address))
        {
            // On the network the token travels in clear over HTTP: a random one printed in a log is not enough of a
            // decision, and no token at all would show decrypted traffic to anyone who can reach the port.
            const string Safer = "Safer: keep the UI on 127.0.0.1 and reach it through an SSH tunnel (ssh -L 7395:127.0.0.1:7395 THIS_HOST), or put a TLS proxy in front of it";
            if (!Auth)
            {
                yield return new ConfigError("auth", $"cannot be false (--no-auth) on {Host}, which is not a loopback address: anyone who can reach it would read the session. {Safer}.");
            }
            else if (!chosen)
            {
                yield return new ConfigError("host", $"{Host} is not a loopback address: the web UI serves it only with a token you choose (--token-file FILE or --token VALUE; config token_file or token), and the token and the session then cross the network unencrypted. {Safer}.");
            }
        }
    }

    /// <summary>The token this configuration names (<c>token</c>, or the first line of <c>token_file</c>), or null: make one.</summary>
    /// <exception cref="InvalidOperationException">The token file cannot be read or holds no valid token.</exception>
    internal string? ChosenToken()
    {
        if (TokenFile is null)
        {
            return Token;
        }
        return ReadTokenFile(TokenFile, out var token) is { } problem ? throw new InvalidOperationException($"token_file: {problem}") : token;
    }

    /// <summary>Reads the first line of a token file; the problem with it, or null.</summary>
    private static string? ReadTokenFile(string path, out string? token)
    {
        token = null;
        try
        {
            using var reader = new StreamReader(path);
            token = reader.ReadLine()?.Trim() ?? string.Empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"cannot read {path}: {ex.Message}";
        }
        return AccessGate.Problem(token) is { } problem ? $"the first line of {path} {problem}" : null;
    }

    /// <summary>The address to bind.</summary>
    internal IPAddress Address => Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(Host);

    private static bool IsAddress(string? host) => host == "localhost" || IPAddress.TryParse(host, out _);
}
