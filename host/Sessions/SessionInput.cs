using AgentSight.Contracts;

namespace AgentSight.Host.Sessions;

/// <summary>A session file given to <c>serve</c> or <c>report</c>, and who reads it.</summary>
/// <param name="Path">The file, full path.</param>
/// <param name="Reader">The plugin factory that recognized it as a session its plugin stored; null for NDJSON, which the host's replay reads.</param>
/// <param name="Plugin">That plugin's name.</param>
/// <param name="Unrecognized">Set when the file is not NDJSON and no installed plugin reads it: why it cannot be read.</param>
internal sealed record SessionInput(string Path, ISessionReader? Reader, string? Plugin, string? Unrecognized)
{
    /// <summary>True for NDJSON events (ours or the original tool's), read by the host's replay runner.</summary>
    public bool IsNdjson => Reader is null;
}
