using AgentSight.Plugins.Common.Model;

namespace AgentSight.Plugins.Web.Session;

/// <summary>What one process instance did: its events on the timeline, the files it opened, the calls it made.</summary>
internal sealed class ProcessActivity(ProcessInstance process)
{
    public ProcessInstance Process { get; } = process;

    public List<ProcessInstance> Children { get; } = [];

    public List<FileOpen> Files { get; } = [];

    public List<LlmCall> Calls { get; } = [];

    /// <summary>The MCP calls it made as a client (its agent's tool calls to MCP servers).</summary>
    public List<McpCall> McpCalls { get; } = [];

    /// <summary>Its resource samples (CPU time and RSS), in arrival order.</summary>
    public List<ResourceSample> Samples { get; } = [];

    /// <summary>Every event's time and category, in arrival order: the timeline bins these.</summary>
    public List<(long Timestamp, EventCategory Category)> Marks { get; } = [];

    public long EventCount { get; set; }
}
