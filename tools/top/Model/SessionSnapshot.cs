namespace AgentSight.Top.Model;

/// <summary>What the view shows at one moment: the recording's processes and its totals.</summary>
/// <param name="Processes">Every process the recording saw.</param>
/// <param name="Events">Events the recording holds.</param>
/// <param name="Calls">LLM calls of the whole session.</param>
/// <param name="Tokens">Input and output tokens of the whole session.</param>
/// <param name="Lost">Every loss the pipeline counted (queue drops, failures, kernel ring losses, …).</param>
/// <param name="Incomplete">The recording says events are missing that no counter can number.</param>
/// <param name="Resources">CPU and RSS per pid, when read on this machine; null when they cannot be (attached remotely).</param>
public sealed record SessionSnapshot(
    IReadOnlyList<ProcessSample> Processes,
    long Events,
    long Calls,
    long Tokens,
    long Lost,
    bool Incomplete,
    IReadOnlyDictionary<int, ResourceUsage>? Resources)
{
    public static readonly SessionSnapshot Empty = new([], 0, 0, 0, 0, false, null);
}
