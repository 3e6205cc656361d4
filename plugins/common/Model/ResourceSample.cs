using AgentSight.Contracts;

namespace AgentSight.Plugins.Common.Model;

/// <summary>One <c>resource</c> event: a traced process's CPU time and memory at one moment (docs/EVENTS.md).</summary>
public sealed record ResourceSample(
    long Timestamp,
    int Pid,
    string Comm,
    long? CpuUserMs,
    long? CpuSystemMs,
    double? CpuPercent,
    long? RssBytes,
    long? Threads)
{
    /// <summary>The source of resource samples.</summary>
    public const string Source = "resource";

    /// <summary>Reads a <c>resource</c> event; null for any other source, or one without a pid.</summary>
    public static ResourceSample? Read(ReadOnlyEvent evt)
    {
        if (evt.Source != Source || evt.Pid <= 0)
        {
            return null;
        }
        var f = evt.Fields;
        return new ResourceSample(evt.Timestamp, evt.Pid, evt.Comm, JsonRead.Long(f, "cpu_user_ms"), JsonRead.Long(f, "cpu_system_ms"),
            JsonRead.Double(f, "cpu_percent"), JsonRead.Long(f, "rss_bytes"), JsonRead.Long(f, "threads"));
    }
}
