using Microsoft.Extensions.Logging;

namespace AgentSight.Contracts;

/// <summary>What the host gives each analyzer and sink instance.</summary>
public interface IStageContext
{
    /// <summary>The stage's id in the manifest (unique; defaults to the plugin name).</summary>
    string StageId { get; }

    /// <summary>A logger whose category is the stage id. Use message templates.</summary>
    ILogger Logger { get; }

    /// <summary>The pipeline clock.</summary>
    IPipelineClock Clock { get; }

    /// <summary>Counters and queue state of every stage and source (read-only).</summary>
    IPipelineMetrics Metrics { get; }

    /// <summary>
    /// A named counter of this stage (what it cut, evicted or refused), shown in the summary and to sinks.
    /// Asking twice for one name gives the same counter, so a restarted stage keeps counting.
    /// </summary>
    Counter Counter(string name);
}
