using AgentSight.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Runners.Replay;

/// <summary>Counts bad lines and logs the first few, so a damaged file cannot flood the log.</summary>
internal sealed class BadLineReport
{
    /// <summary>How many bad lines are logged one by one.</summary>
    public const int LoggedIndividually = 20;

    private readonly ILogger _logger;
    private readonly string _sourceName;
    private readonly Counter _counter;

    public BadLineReport(ILogger logger, string sourceName, Counter counter)
    {
        _logger = logger;
        _sourceName = sourceName;
        _counter = counter;
    }

    /// <summary>Bad lines seen in this replay.</summary>
    public long Count { get; private set; }

    public void Add(long lineNumber, string reason)
    {
        Count++;
        _counter.Add();
        if (Count <= LoggedIndividually)
        {
            _logger.LogWarning("{File}:{Line}: skipped bad line: {Reason}", _sourceName, lineNumber, reason);
        }
    }

    /// <summary>Logs how many bad lines were not logged one by one, if any.</summary>
    public void LogSummary()
    {
        if (Count > LoggedIndividually)
        {
            _logger.LogWarning("… {Hidden} more bad lines not shown in {File} ({Total} bad lines in all)",
                Count - LoggedIndividually, _sourceName, Count);
        }
    }
}
