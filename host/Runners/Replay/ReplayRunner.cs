using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Runners.Replay;

/// <summary>
/// Replays a recording: NDJSON in our format, the original collector's log format, or raw sslsniff / process
/// output, mixed freely. Bad lines are skipped and counted; the rest goes on.
/// </summary>
internal sealed class ReplayRunner : IRunner
{
    private const string StandardInputName = "<stdin>";

    private readonly ReplayOptions _options;
    private readonly EventTimeClock _clock;
    private readonly ILogger<ReplayRunner> _logger;
    private readonly TimeProvider _time;
    private readonly Func<Stream> _openStandardInput;

    /// <summary>Creates the runner.</summary>
    /// <param name="options">What to read; validated here.</param>
    /// <param name="clock">The replay clock, moved to each event's timestamp once the event is written.</param>
    /// <param name="logger">Bad lines, the timestamp conversion and a summary.</param>
    /// <param name="time">For pacing (<see cref="ReplayOptions.Speed"/>) and dating boot-relative stdin; default system.</param>
    /// <param name="openStandardInput">What <c>-</c> reads; default the process's standard input.</param>
    public ReplayRunner(ReplayOptions options, EventTimeClock clock, ILogger<ReplayRunner> logger,
        TimeProvider? time = null, Func<Stream>? openStandardInput = null)
    {
        options.Validate();
        _options = options;
        _clock = clock;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _openStandardInput = openStandardInput ?? Console.OpenStandardInput;
    }

    public string Name => "replay";

    private string SourceName => _options.IsStandardInput ? StandardInputName : _options.Path;

    public async Task RunAsync(PipelineInput input, RunnerMetrics metrics, CancellationToken stop)
    {
        var stream = Open();
        var badLines = new BadLineReport(_logger, SourceName, metrics.Counter("bad_lines"));
        var collector = new EventCollector(new ReplayLineParser(new ReplayTimestamps(_options, SourceName, _time, _logger)), badLines)
        {
            WarnOnSources = _options.WarnOnSources,
            DropSources = _options.DropSources,
            Dropped = _options.DropSources is null ? null : metrics.Counter("analyzer_output_left_out"),
            Logger = _logger,
            SourceName = SourceName,
        };
        var pacer = new Pacer(_options.Speed, _time);
        long written = 0;
        var stopped = false;

        await using (var lines = new NdjsonLineReader(stream, _options.MaxLineBytes))
        {
            try
            {
                var more = true;
                while (more && !stopped)
                {
                    more = await lines.ReadAsync(collector, stop);
                    foreach (var evt in collector.Events)
                    {
                        await pacer.WaitForAsync(evt.Timestamp, stop);
                        // Not cancellable: an event read is an event kept.
                        await input.WriteAsync(evt, metrics);
                        _clock.Advance(evt.Timestamp);
                        written++;
                        if (stop.IsCancellationRequested)
                        {
                            stopped = true;
                            break;
                        }
                    }
                    collector.Events.Clear();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                stopped = true;
            }
        }

        badLines.LogSummary();
        if (stopped)
        {
            _logger.LogInformation("Replay of {File} stopped after {Events} events ({BadLines} bad lines skipped)",
                SourceName, written, badLines.Count);
        }
        else
        {
            _logger.LogInformation("Replayed {Events} events from {File} ({BadLines} bad lines skipped)",
                written, SourceName, badLines.Count);
        }
    }

    /// <summary>Opens the input, failing with the path in the message before anything is produced.</summary>
    private Stream Open()
    {
        if (_options.IsStandardInput)
        {
            return new CancellableReadStream(_openStandardInput());
        }
        var path = _options.Path;
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Cannot replay {path}: no such file", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot replay {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Parses the lines of one read into events; bad ones go to the report.</summary>
    private sealed class EventCollector(ReplayLineParser parser, BadLineReport badLines) : ILineHandler
    {
        private bool _warned;
        private bool _toldDrop;

        public List<AgentEvent> Events { get; } = [];

        public IReadOnlySet<string>? WarnOnSources { get; init; }

        public IReadOnlySet<string>? DropSources { get; init; }

        public Counter? Dropped { get; init; }

        public required ILogger Logger { get; init; }

        public required string SourceName { get; init; }

        public void OnLine(ReadOnlySpan<byte> line, long lineNumber)
        {
            if (parser.TryParse(line, out var evt, out var error))
            {
                if (DropSources is { } dropped && dropped.Contains(evt.Source))
                {
                    LeaveOut(evt, lineNumber);
                    return;
                }
                Events.Add(evt);
                if (!_warned && WarnOnSources is { } sources && sources.Contains(evt.Source))
                {
                    _warned = true;
                    Logger.LogWarning("{File}:{Line}: a {Source} event: this recording holds analyzer output, and the analyzers run on it again, so its "
                        + "exchanges and calls may be counted twice; replay the file itself (it is scanned first) or add --analyze no",
                        SourceName, lineNumber, evt.Source);
                }
            }
            else
            {
                badLines.Add(lineNumber, error);
            }
        }

        private void LeaveOut(AgentEvent evt, long lineNumber)
        {
            Dropped?.Add();
            if (!_toldDrop)
            {
                _toldDrop = true;
                Logger.LogInformation("{File}:{Line}: a {Source} event: the analyzer output recorded in this file is left out and rebuilt from its raw "
                    + "TLS events (--analyze yes), so that every exchange and call is counted once", SourceName, lineNumber, evt.Source);
            }
        }

        public void OnLineTooLong(long lineNumber, int maxLineBytes) =>
            badLines.Add(lineNumber, $"line longer than {maxLineBytes} bytes");
    }
}
