using AgentSight.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugin;

/// <summary>Drops <c>http</c> events (one per request and response) whose request path is one of the configured paths.</summary>
/// <remarks>
/// The host calls one instance from one task at a time, so the analyzer needs no locks. Every event it does not drop
/// must be emitted, or it is lost.
/// </remarks>
public sealed class DropPathsAnalyzer : IAnalyzer
{
    private readonly string[] _paths;
    private readonly bool _matchPrefix;
    private readonly Counter _dropped;
    private readonly ILogger _logger;

    /// <summary>Creates the analyzer. The counter appears in the run's summary and in the web UI.</summary>
    public DropPathsAnalyzer(DropPathsConfig config, IStageContext context)
    {
        _paths = [.. config.Paths];
        _matchPrefix = config.MatchPrefix;
        _dropped = context.Counter("dropped");
        _logger = context.Logger;
    }

    /// <inheritdoc />
    public void Process(AgentEvent evt, IEventOutput output)
    {
        if (evt.Source == "http" && evt.Fields?["request"]?["path"]?.GetValue<string>() is { } path && Matches(path))
        {
            _dropped.Add();
            _logger.LogDebug("Dropped a request to {Path} from {Comm} ({Pid})", path, evt.Comm, evt.Pid);
            return;
        }
        output.Emit(evt);
    }

    private bool Matches(string path)
    {
        var query = path.IndexOf('?', StringComparison.Ordinal);
        var bare = query < 0 ? path.AsSpan() : path.AsSpan(0, query);
        foreach (var candidate in _paths)
        {
            if (bare.SequenceEqual(candidate)
                || (_matchPrefix && bare.StartsWith(candidate, StringComparison.Ordinal) && bare.Length > candidate.Length
                    && (candidate.EndsWith('/') || bare[candidate.Length] == '/')))
            {
                return true;
            }
        }
        return false;
    }
}
