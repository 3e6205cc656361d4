namespace AgentSight.Plugins.SslFilter;

/// <summary>Named sets of expressions (<c>presets</c> in the configuration).</summary>
public static class SslFilterPresets
{
    /// <summary>
    /// The original <c>record</c> command's filter: bare chunked-body terminators and binary payloads.
    /// </summary>
    /// <remarks>
    /// The original ran it before any parsing, where it cost nothing. Here the <c>http</c> analyzer needs both (the
    /// terminator ends a chunked body; gzip bodies are binary until it decodes them), so the preset belongs in a stage
    /// after the analyzers, where only the raw events they did not use (HTTP/2, WebSocket frames) remain.
    /// </remarks>
    public const string Record = "data=0\\r\\n\\r\\n | data.type=binary";

    /// <summary>Every preset by name.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["record"] = Record,
    };
}
