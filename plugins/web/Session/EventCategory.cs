namespace AgentSight.Plugins.Web.Session;

/// <summary>How the timeline colours an event.</summary>
internal enum EventCategory : byte
{
    /// <summary>Exec, fork, exit.</summary>
    Process,

    /// <summary>File opens.</summary>
    File,

    /// <summary>TLS, HTTP and SSE traffic.</summary>
    Network,

    /// <summary>LLM calls.</summary>
    Llm,

    /// <summary>Everything else.</summary>
    Other,

    /// <summary>MCP calls and notifications (after <see cref="Other"/>, so that older columns keep their place).</summary>
    Mcp,
}
