using System.Net;
using AgentSight.Contracts;

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
    }

    /// <summary>The address to bind.</summary>
    internal IPAddress Address => Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(Host);

    private static bool IsAddress(string? host) => host == "localhost" || IPAddress.TryParse(host, out _);
}
