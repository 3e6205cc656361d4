using System.Text.Json;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugin;

/// <summary>Counts the events of each process (<c>comm(pid)</c>) and keeps the counts, as JSON, in a file.</summary>
/// <remarks>
/// Lifecycle: StartAsync once, Write for each event (never concurrently), FlushAsync when the queue runs dry,
/// StopAsync at the end — which must be safe to call twice, or without StartAsync. Events are shared with other
/// sinks, so each comes as a ReadOnlyEvent: its envelope, its fields (<c>evt.Fields["name"].GetString()</c>) and its
/// typed payloads can be read, not changed. The file is rewritten at each flush that has new counts, so it is current
/// whenever the sink has caught up, and what the sink was given is never only in memory for long.
/// </remarks>
public sealed class ProcessCountSink : ISink
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly ProcessCountConfig _config;
    private readonly ILogger _logger;
    private readonly Dictionary<(int Pid, string Comm), long> _counts = [];
    private bool _started;
    private bool _changed;
    private bool _stopped;

    /// <summary>Creates the sink. Nothing is opened here: the host creates every stage before it starts any.</summary>
    public ProcessCountSink(ProcessCountConfig config, IStageContext context)
    {
        _config = config;
        _logger = context.Logger;
    }

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        _changed = true;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Write(ReadOnlyEvent evt)
    {
        var key = (evt.Pid, evt.Comm);
        _counts[key] = _counts.GetValueOrDefault(key) + 1;
        _changed = true;
    }

    /// <inheritdoc />
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_started && !_stopped && _changed)
        {
            await WriteCountsAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask StopAsync(CancellationToken cancellationToken)
    {
        if (_stopped || !_started)
        {
            // Stopped already, or never started: there is nothing to write and no file to leave behind.
            return;
        }
        await FlushAsync(cancellationToken);
        _stopped = true;
        foreach (var (process, count) in Ordered().Take(_config.LogTop))
        {
            _logger.LogInformation("{Comm}({Pid}): {Count} events", process.Comm, process.Pid, count);
        }
        _logger.LogInformation("Wrote the event counts of {Processes} processes to {Path}", _counts.Count, Path.GetFullPath(_config.Path));
    }

    private List<KeyValuePair<(int Pid, string Comm), long>> Ordered() =>
        [.. _counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key.Pid)];

    /// <summary>Replaces the file whole (written beside it, then moved over it), so a reader never sees half of it.</summary>
    private async Task WriteCountsAsync(CancellationToken cancellationToken)
    {
        var document = Ordered().ToDictionary(c => $"{c.Key.Comm}({c.Key.Pid})", c => c.Value);
        var path = Path.GetFullPath(_config.Path);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(document, Indented), cancellationToken);
        File.Move(temporary, path, overwrite: true);
        _changed = false;
    }
}
