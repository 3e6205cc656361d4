using System.Text.Json;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugin;

/// <summary>Counts the events of each process (<c>comm(pid)</c>) and writes the counts when the run ends.</summary>
/// <remarks>
/// Lifecycle: StartAsync once, Write for each event (never concurrently), FlushAsync when the queue runs dry,
/// StopAsync at the end — which must be safe to call twice, or without StartAsync. Events are shared with other
/// sinks: read them, never change them.
/// </remarks>
public sealed class ProcessCountSink : ISink
{
    private readonly ProcessCountConfig _config;
    private readonly ILogger _logger;
    private readonly Dictionary<(int Pid, string Comm), long> _counts = [];
    private bool _stopped;

    /// <summary>Creates the sink. Nothing is opened here: the host creates every stage before it starts any.</summary>
    public ProcessCountSink(ProcessCountConfig config, IStageContext context)
    {
        _config = config;
        _logger = context.Logger;
    }

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public void Write(AgentEvent evt)
    {
        var key = (evt.Pid, evt.Comm);
        _counts[key] = _counts.GetValueOrDefault(key) + 1;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        var ordered = _counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key.Pid).ToList();
        var document = ordered.ToDictionary(c => $"{c.Key.Comm}({c.Key.Pid})", c => c.Value);
        await File.WriteAllTextAsync(_config.Path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        foreach (var (process, count) in ordered.Take(_config.LogTop))
        {
            _logger.LogInformation("{Comm}({Pid}): {Count} events", process.Comm, process.Pid, count);
        }
        _logger.LogInformation("Wrote the event counts of {Processes} processes to {Path}", ordered.Count, Path.GetFullPath(_config.Path));
    }
}
