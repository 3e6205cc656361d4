using System.Diagnostics;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Pipeline;

/// <summary>Runs one sink on its own task: writes every event of its queue, flushes when the queue runs dry.</summary>
/// <remarks>
/// A sink exception is contained here: logged with the event (as <see cref="Events"/> allows), the instance stopped and
/// replaced by a fresh one, and after <see cref="StageSettings.MaxFailures"/> failures the sink is taken out; the events
/// it no longer takes are counted as dropped, and the run fails (<see cref="Failure"/>). So does a last flush or stop that
/// throws when the run ends: what the sink still held was not written. Other sinks are not affected.
/// Every call into the plugin is marked on the stage's metrics (<see cref="PluginCall"/>), so a shutdown it holds can
/// name it.
/// </remarks>
internal sealed class SinkStage
{
    private readonly StagePlan _plan;
    private readonly ISinkFactory _factory;
    private readonly StageQueue _input;
    private readonly StageContext _context;
    private readonly StageMetrics _metrics;
    private readonly StageEventClock? _eventClock;
    private readonly ILogger _log;
    private ISink? _sink;
    private long _busySince;

    /// <summary>
    /// The shortest time between two flushes. In a live session events trickle in one at a time, and the queue runs dry
    /// after each: a flush each was a write system call per event for the file sink (8 % of the host's CPU on the
    /// keep-alive workload). Events that come within the gap are written before the next flush. Only under the block
    /// policy: waiting must never make a dropping queue drop.
    /// </summary>
    private static readonly long FlushGap = Stopwatch.Frequency / 200;

    private long _lastFlush;
    private string? _stopFailure;

    public SinkStage(StagePlan plan, StageQueue input, StageContext context, StageMetrics metrics, StageEventClock? eventClock, ILogger hostLogger)
    {
        _plan = plan;
        _factory = (ISinkFactory)plan.Factory;
        _input = input;
        _context = context;
        _metrics = metrics;
        _eventClock = eventClock;
        _log = hostLogger;
    }

    public string Id => _plan.Id;

    public StageQueue Input => _input;

    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// How failures show the event: the pipeline sets it once it knows whether a redaction stage runs before the sinks;
    /// until then, and without one, only the shape.
    /// </summary>
    public EventDescription Events { get; set; } = EventDescription.ShapeOnly;

    /// <summary>Creates the first instance (no outside effects). Throws what the factory throws.</summary>
    public ISink CreateInstance()
    {
        _metrics.Enter(PluginCall.Create);
        try
        {
            return _sink = _factory.Create(_plan.Config, _context);
        }
        finally
        {
            _metrics.Leave();
        }
    }

    /// <summary>Opens the sink's outputs. Throws when it cannot: the pipeline does not start.</summary>
    public async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        _metrics.Enter(PluginCall.StartAsync);
        try
        {
            await _sink!.StartAsync(cancellationToken);
        }
        finally
        {
            _metrics.Leave();
        }
    }

    public void Start() => Completion = Task.Run(RunAsync);

    /// <summary>
    /// Why the run failed because of this sink, or null: a sink taken out did not write what reached it since; one whose
    /// last flush or stop threw did not write what it still held.
    /// </summary>
    public StageFailure? Failure()
    {
        if (_metrics.State == StageState.Removed)
        {
            return new StageFailure(_plan.Id, _plan.Plugin, PluginKind.Sink, _metrics.RemovalReason ?? "taken out", _metrics.In, _metrics.In - _metrics.Out);
        }
        // Every event was handed over by Write, so only the sink knows how many it never wrote: ours count them.
        return _stopFailure is null
            ? null
            : new StageFailure(_plan.Id, _plan.Plugin, PluginKind.Sink, _stopFailure, _metrics.In, _metrics.CounterValue(StageFailure.SinkLossCounter));
    }

    /// <summary>Closes a sink that was opened, when the pipeline fails to start.</summary>
    public async ValueTask CloseAsync()
    {
        var sink = _sink;
        _sink = null;
        await StopQuietlyAsync(sink);
    }

    private async Task RunAsync()
    {
        var reader = _input.Reader;
        _busySince = Stopwatch.GetTimestamp();
        while (true)
        {
            while (reader.TryRead(out var evt))
            {
                _metrics.AddIn();
                _eventClock?.Observe(evt.Timestamp);
                var sink = _sink;
                if (sink is null)
                {
                    _metrics.AddDropped();
                    continue;
                }
                try
                {
                    _metrics.Enter(PluginCall.Write);
                    sink.Write(evt.AsReadOnly());
                    _metrics.Leave();
                    _metrics.AddOut();
                }
                catch (Exception ex)
                {
                    _metrics.Leave();
                    await OnFailureAsync(ex, evt, "writing an event");
                }
            }
            var sinceFlush = Stopwatch.GetTimestamp() - _lastFlush;
            if (sinceFlush < FlushGap && _input.Blocks)
            {
                _metrics.AddBusy(Stopwatch.GetTimestamp() - _busySince);
                await Delays.For(Stopwatch.GetElapsedTime(0, FlushGap - sinceFlush), TimeProvider.System);
                _busySince = Stopwatch.GetTimestamp();
                continue;
            }
            await FlushAsync();
            _lastFlush = Stopwatch.GetTimestamp();
            _metrics.AddBusy(_lastFlush - _busySince);
            if (!await reader.WaitToReadAsync())
            {
                break;
            }
            _busySince = Stopwatch.GetTimestamp();
        }

        var last = _sink;
        _sink = null;
        // A failure here is not followed by a restart: nothing would write what the instance still held.
        _stopFailure = await StopQuietlyAsync(last);
        if (_metrics.State == StageState.Running)
        {
            _metrics.SetState(StageState.Stopped);
        }
    }

    private async ValueTask FlushAsync()
    {
        var sink = _sink;
        if (sink is null)
        {
            return;
        }
        try
        {
            _metrics.Enter(PluginCall.FlushAsync);
            await sink.FlushAsync(CancellationToken.None);
            _metrics.Leave();
        }
        catch (Exception ex)
        {
            _metrics.Leave();
            await OnFailureAsync(ex, null, "flushing");
        }
    }

    private async ValueTask OnFailureAsync(Exception ex, AgentEvent? evt, string activity)
    {
        _metrics.AddFailed();
        var failures = _metrics.Failed;
        if (FailureLog.ShouldLog(failures))
        {
            _log.LogError(Events.ForLog(ex), "Sink {Stage} (plugin {Plugin}) failed while {Activity} (failure {Failures}); event: {Event}",
                _plan.Id, _plan.Plugin, activity, failures, Events.Describe(evt));
        }
        var failed = _sink;
        _sink = null;
        await StopQuietlyAsync(failed);

        if (_plan.Settings.MaxFailures > 0 && failures >= _plan.Settings.MaxFailures)
        {
            _metrics.Remove($"taken out after {failures} failures (last error: {Events.Reason(ex)})");
            _log.LogError("Sink {Stage} (plugin {Plugin}) taken out of the pipeline after {Failures} failures; its events are counted as dropped",
                _plan.Id, _plan.Plugin, failures);
            return;
        }
        try
        {
            _metrics.Enter(PluginCall.Create);
            var fresh = _factory.Create(_plan.Config, _context);
            _metrics.Enter(PluginCall.StartAsync);
            await fresh.StartAsync(CancellationToken.None);
            _sink = fresh;
            _metrics.AddRestart();
        }
        catch (Exception restartError)
        {
            _metrics.Remove($"could not be restarted ({Events.Reason(restartError)})");
            _log.LogError(Events.ForLog(restartError), "Sink {Stage} (plugin {Plugin}) could not be restarted and is taken out of the pipeline",
                _plan.Id, _plan.Plugin);
        }
        _metrics.Leave();
    }

    /// <summary>Flushes and stops an instance, logging what throws; returns why it failed (the first failure), or null.</summary>
    private async ValueTask<string?> StopQuietlyAsync(ISink? sink)
    {
        if (sink is null)
        {
            return null;
        }
        string? failure = null;
        try
        {
            _metrics.Enter(PluginCall.FlushAsync);
            await sink.FlushAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            _metrics.AddFailed();
            _log.LogError(Events.ForLog(ex), "Sink {Stage} (plugin {Plugin}) failed its last flush; what it buffered may be lost", _plan.Id, _plan.Plugin);
            failure = $"its last flush threw ({Events.Reason(ex)})";
        }
        try
        {
            _metrics.Enter(PluginCall.StopAsync);
            await sink.StopAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            _metrics.AddFailed();
            _log.LogError(Events.ForLog(ex), "Sink {Stage} (plugin {Plugin}) failed to stop cleanly", _plan.Id, _plan.Plugin);
            failure ??= $"its stop threw ({Events.Reason(ex)})";
        }
        _metrics.Leave();
        return failure;
    }
}
