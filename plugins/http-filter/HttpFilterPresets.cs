namespace AgentSight.Plugins.HttpFilter;

/// <summary>Named sets of expressions (<c>presets</c> in the configuration).</summary>
public static class HttpFilterPresets
{
    /// <summary>
    /// The original <c>record</c> command's filter: Claude Code's telemetry (<c>/v1/rgstr</c>), <c>202 Accepted</c>
    /// answers, <c>HEAD</c> probes and responses without a body.
    /// </summary>
    /// <remarks>
    /// Written as in the original, where <c>response.body=</c> matched every response and so dropped every LLM
    /// answer. Here it means "the response has an empty body": a streamed answer counts its bytes in
    /// <c>body_size</c> even though its text went out as stream events, so it is kept.
    /// </remarks>
    public const string Record = "request.path_prefix=/v1/rgstr | response.status_code=202 | request.method=HEAD | response.body=";

    /// <summary>Every preset by name.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["record"] = Record,
    };
}
