using AgentSight.Contracts;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Pipeline;

/// <summary>One analyzer of an <see cref="AnalyzerChain"/>: calls the plugin and keeps what it emits for the next stage.</summary>
/// <remarks>
/// The chain's task calls one stage at a time, so the plugin is never called concurrently. A plugin exception is
/// contained here: logged with the event (as <see cref="EventDescription"/> allows), the instance replaced by a fresh
/// one, and after <see cref="StageSettings.MaxFailures"/> failures the stage is taken out and events flow around it
/// (or, for a stage that fails closed, <c>on_error: drop</c>, are dropped). A last flush that throws at shutdown loses
/// what the instance held, with no later instance to make up for it: the run fails. Every call into the plugin is
/// marked on the stage's metrics (<see cref="PluginCall"/>), so a shutdown it holds can name it.
/// </remarks>
internal sealed class AnalyzerStage : IEventOutput
{
    private readonly StagePlan _plan;
    private readonly IAnalyzerFactory _factory;
    private readonly StageContext _context;
    private readonly StageMetrics _metrics;
    private readonly StageEventClock? _eventClock;
    private readonly ILogger _log;
    private readonly EventDescription _events;
    private IAnalyzer? _analyzer;
    private long _timerIntervalNs;
    private long _nextTimer;
    private long _droppedOnFailure;
    private string? _lastFlushFailure;

    public AnalyzerStage(StagePlan plan, StageContext context, StageMetrics metrics, StageEventClock? eventClock, ILogger hostLogger,
        IAnalyzer firstInstance, EventDescription events)
    {
        _events = events;
        _plan = plan;
        _factory = (IAnalyzerFactory)plan.Factory;
        _context = context;
        _metrics = metrics;
        _eventClock = eventClock;
        _log = hostLogger;
        SetInstance(firstInstance);
    }

    public StagePlan Plan => _plan;

    public StageMetrics Metrics => _metrics;

    /// <summary>What the plugin emitted since the chain last took it: the next stage's input, in order.</summary>
    public List<AgentEvent> Emitted { get; } = new(16);

    /// <summary>
    /// When this stage's timer is due on the wall clock, or null when it has none that time alone brings (no timer,
    /// taken out, or replay, where the clock moves only with events).
    /// </summary>
    public long? WallTimerDeadline =>
        _timerIntervalNs == 0 || _context.Clock.IsEventTime || _analyzer is null ? null : _nextTimer;

    /// <summary>The pipeline clock this stage reads.</summary>
    public IPipelineClock Clock => _context.Clock;

    /// <summary>
    /// Why the run failed because of this stage, or null: a fail-closed stage taken out dropped every later event; a last
    /// flush that threw lost what the stage held (how much, only the plugin knew).
    /// </summary>
    public StageFailure? Failure()
    {
        if (_lastFlushFailure is not null)
        {
            return new StageFailure(_plan.Id, _plan.Plugin, PluginKind.Analyzer, _lastFlushFailure, _metrics.In, Lost: null);
        }
        if (_metrics.State != StageState.Removed || _plan.Settings.OnError != OnError.Drop)
        {
            // Taken out, an analyzer that passes on error lets events around it: they still reach the sinks.
            return null;
        }
        return new StageFailure(_plan.Id, _plan.Plugin, PluginKind.Analyzer, _metrics.RemovalReason ?? "taken out", _metrics.In,
            _metrics.Dropped + Volatile.Read(ref _droppedOnFailure));
    }

    void IEventOutput.Emit(AgentEvent evt) => Emitted.Add(evt);

    /// <summary>Hands one event to the plugin; what it emits lands in <see cref="Emitted"/>.</summary>
    public void Accept(AgentEvent evt)
    {
        _metrics.AddIn();
        _eventClock?.Observe(evt.Timestamp);
        Dispatch(evt);
    }

    /// <summary>Fires the timer when it is due; true when it ran (its events are then in <see cref="Emitted"/>).</summary>
    public bool RunTimerIfDue()
    {
        if (!TimerDue())
        {
            return false;
        }
        FireTimer();
        return true;
    }

    /// <summary>The end of the input: the instance emits what it holds, then is disposed.</summary>
    public void FlushAtShutdown()
    {
        if (FlushInstance(_analyzer, reason: "shutdown") is { } flushError)
        {
            _lastFlushFailure = $"its last flush threw ({_events.Reason(flushError)})";
        }
    }

    /// <summary>After the last flush's events went on: disposes the instance and marks the stage stopped.</summary>
    public void Stop()
    {
        DisposeInstance(_analyzer);
        _analyzer = null;
        if (_metrics.State == StageState.Running)
        {
            _metrics.SetState(StageState.Stopped);
        }
    }

    private void Dispatch(AgentEvent evt)
    {
        var analyzer = _analyzer;
        if (analyzer is null)
        {
            // Taken out of the pipeline: the event goes around it, unless the stage fails closed (redaction), whose
            // events must never reach a sink unprocessed: those are dropped and counted.
            if (_plan.Settings.OnError == OnError.Drop)
            {
                _metrics.AddDropped();
                return;
            }
            Emitted.Add(evt);
            return;
        }
        try
        {
            _metrics.Enter(PluginCall.Process);
            analyzer.Process(evt, this);
            UseTimerInterval(analyzer.TimerInterval);
        }
        catch (Exception ex)
        {
            OnFailure(ex, evt, "processing an event");
        }
        _metrics.Leave();
    }

    /// <summary>
    /// True when the timer should fire. With event time the clock only exists once events arrive, so the first
    /// deadline is set one interval after the first event this stage sees.
    /// </summary>
    private bool TimerDue()
    {
        if (_timerIntervalNs == 0)
        {
            return false;
        }
        var now = _context.Clock.Now;
        if (now <= 0)
        {
            return false; // Event time before the first event: no clock yet.
        }
        if (_nextTimer == 0)
        {
            _nextTimer = now + _timerIntervalNs;
            return false;
        }
        return now >= _nextTimer;
    }

    private void FireTimer()
    {
        var now = _context.Clock.Now;
        _nextTimer = _context.Clock.IsEventTime ? now + _timerIntervalNs : NextWallDeadline(now);
        var analyzer = _analyzer;
        if (analyzer is null)
        {
            return;
        }
        try
        {
            _metrics.Enter(PluginCall.OnTimer);
            analyzer.OnTimer(now, this);
            UseTimerInterval(analyzer.TimerInterval);
        }
        catch (Exception ex)
        {
            OnFailure(ex, null, "running its timer");
        }
        _metrics.Leave();
    }

    private void OnFailure(Exception ex, AgentEvent? evt, string activity)
    {
        _metrics.AddFailed();
        var failures = _metrics.Failed;
        if (FailureLog.ShouldLog(failures))
        {
            _log.LogError(_events.ForLog(ex), "Stage {Stage} (plugin {Plugin}) failed while {Activity} (failure {Failures}); event: {Event}",
                _plan.Id, _plan.Plugin, activity, failures, _events.Describe(evt));
        }
        if (evt is not null && _plan.Settings.OnError == OnError.Pass && !Emitted.Contains(evt))
        {
            Emitted.Add(evt);
        }
        else if (evt is not null && _plan.Settings.OnError == OnError.Drop)
        {
            Volatile.Write(ref _droppedOnFailure, _droppedOnFailure + 1);
        }

        var failed = _analyzer;
        _analyzer = null;
        // Held events may still be good: give the failed instance one chance to hand them over. If it throws, that is
        // logged and counted; the run goes on with a fresh instance, as after any failure it recovers from.
        _ = FlushInstance(failed, reason: "restart");
        DisposeInstance(failed);

        if (_plan.Settings.MaxFailures > 0 && failures >= _plan.Settings.MaxFailures)
        {
            _metrics.Remove($"taken out after {failures} failures (last error: {_events.Reason(ex)})");
            _log.LogError("Stage {Stage} (plugin {Plugin}) taken out of the pipeline after {Failures} failures; events now {Fate}",
                _plan.Id, _plan.Plugin, failures, _plan.Settings.OnError == OnError.Drop ? "are dropped (it fails closed)" : "go around it");
            return;
        }
        try
        {
            _metrics.Enter(PluginCall.Create);
            SetInstance(_factory.Create(_plan.Config, _context));
            _metrics.AddRestart();
        }
        catch (Exception createError)
        {
            _metrics.Remove($"could not be restarted ({_events.Reason(createError)})");
            _log.LogError(_events.ForLog(createError), "Stage {Stage} (plugin {Plugin}) could not be restarted and is taken out of the pipeline",
                _plan.Id, _plan.Plugin);
        }
        _metrics.Leave();
    }

    private void SetInstance(IAnalyzer analyzer)
    {
        _analyzer = analyzer;
        _timerIntervalNs = -1;
        UseTimerInterval(analyzer.TimerInterval);
    }

    /// <summary>
    /// Takes the instance's <see cref="IAnalyzer.TimerInterval"/>, read again after every call into it (contracts 2.1):
    /// an instance holding nothing may answer zero, and then no timer wakes the chain while the agent is idle. A new
    /// interval starts a new deadline; the same one keeps the deadline it has.
    /// </summary>
    private void UseTimerInterval(TimeSpan interval)
    {
        var intervalNs = interval > TimeSpan.Zero ? interval.Ticks * 100 : 0;
        if (intervalNs == _timerIntervalNs)
        {
            return;
        }
        _timerIntervalNs = intervalNs;
        _nextTimer = _context.Clock.IsEventTime || intervalNs == 0 ? 0 : NextWallDeadline(_context.Clock.Now);
    }

    /// <summary>
    /// The next multiple of the interval on the wall clock: the stages' timers of one interval fall on the same instants,
    /// so the chain wakes once for all of them rather than once for each.
    /// </summary>
    private long NextWallDeadline(long now) => (now / _timerIntervalNs + 1) * _timerIntervalNs;

    /// <summary>Lets an instance emit what it holds; returns what it threw (logged here), or null.</summary>
    private Exception? FlushInstance(IAnalyzer? analyzer, string reason)
    {
        if (analyzer is null)
        {
            return null;
        }
        try
        {
            _metrics.Enter(PluginCall.Flush);
            analyzer.Flush(this);
        }
        catch (Exception ex)
        {
            _metrics.AddFailed();
            _log.LogError(_events.ForLog(ex), "Stage {Stage} (plugin {Plugin}) failed to flush held events at {Reason}; they are lost",
                _plan.Id, _plan.Plugin, reason);
            _metrics.Leave();
            return ex;
        }
        _metrics.Leave();
        return null;
    }

    private void DisposeInstance(IAnalyzer? analyzer)
    {
        try
        {
            _metrics.Enter(PluginCall.Dispose);
            (analyzer as IDisposable)?.Dispose();
        }
        catch (Exception ex)
        {
            _log.LogWarning(_events.ForLog(ex), "Stage {Stage} (plugin {Plugin}) threw while being disposed", _plan.Id, _plan.Plugin);
        }
        _metrics.Leave();
    }
}
