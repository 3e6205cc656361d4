using Microsoft.Extensions.Logging;

namespace AgentSight.Contracts;

/// <summary>What the host gives a <see cref="ISessionReader"/> while it reads (contracts 1.4).</summary>
public interface ISessionReadContext
{
    /// <summary>A logger for progress and skipped rows. Use message templates.</summary>
    ILogger Logger { get; }

    /// <summary>A named counter of the reading source (rows skipped, say), shown in the summary and to sinks.</summary>
    Counter Counter(string name);
}
