using AgentSight.Contracts;

namespace AgentSight.Plugins.Mcp;

/// <summary>Configuration of the <c>mcp</c> analyzer. Every default is valid as is.</summary>
public sealed class McpAnalyzerConfig : PluginConfig
{
    /// <summary>
    /// Longest JSON-RPC message read whole, in bytes (<c>max_message_bytes</c>); default 4 MiB. A longer one is still
    /// paired by its id, with its params or result left out (<c>truncated: true</c>), and counted.
    /// </summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Most requests waiting for their response, all conversations together (<c>max_pending</c>); default 4096.
    /// Beyond it the oldest is emitted unanswered (<c>complete: false</c>) and counted.
    /// </summary>
    public int MaxPending { get; set; } = 4096;

    /// <summary>
    /// Most streams being reassembled at once: stdio streams and HTTP response streams (<c>max_streams</c>); default
    /// 1024. Beyond it the least recently active one is given up: its partial message is dropped and counted.
    /// </summary>
    public int MaxStreams { get; set; } = 1024;

    /// <summary>
    /// Most messages of streamed HTTP responses held until their exchange's <c>http</c> event comes
    /// (<c>max_held_messages</c>); default 4096. Beyond it new ones are dropped and counted.
    /// </summary>
    public int MaxHeldMessages { get; set; } = 4096;

    /// <summary>Put the request's arguments (or params) in the event (<c>include_arguments</c>); default true.</summary>
    public bool IncludeArguments { get; set; } = true;

    /// <summary>Put the response's result in the event (<c>include_results</c>); default true. Errors are always kept.</summary>
    public bool IncludeResults { get; set; } = true;

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (MaxMessageBytes is < 1024 or > 256 * 1024 * 1024)
        {
            yield return new ConfigError("max_message_bytes", $"must be between 1024 and 268435456 (got {MaxMessageBytes})");
        }
        if (MaxPending < 1)
        {
            yield return new ConfigError("max_pending", $"must be at least 1 (got {MaxPending})");
        }
        if (MaxStreams < 1)
        {
            yield return new ConfigError("max_streams", $"must be at least 1 (got {MaxStreams})");
        }
        if (MaxHeldMessages < 1)
        {
            yield return new ConfigError("max_held_messages", $"must be at least 1 (got {MaxHeldMessages})");
        }
    }
}
