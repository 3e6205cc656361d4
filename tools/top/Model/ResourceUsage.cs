namespace AgentSight.Top.Model;

/// <summary>CPU and memory of one running process, read from <c>/proc</c> on this machine.</summary>
/// <param name="CpuPercent">CPU used since the previous reading, in percent of one core (200 = two cores busy).</param>
/// <param name="RssBytes">Resident memory now.</param>
public readonly record struct ResourceUsage(double? CpuPercent, long RssBytes);
