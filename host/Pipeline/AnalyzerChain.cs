using System.Diagnostics;
using System.Runtime.CompilerServices;
using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>
/// Consecutive analyzers run by one task from one bounded queue: each event goes through every stage in order, and
/// what the last one emits goes to the next chain's queue or to the sinks.
/// </summary>
/// <remarks>
/// <para>A queue and a task per analyzer cost a thread wake-up per stage for every event of a live session, where
/// events trickle in one at a time: on two cores those wake-ups competed with the traced program (docs/PERFORMANCE.md,
/// "The analyzer chain"). In one task the stages cost only their own work. A stage whose manifest entry sets its own
/// <c>queue_capacity</c> or <c>backpressure</c> starts a new chain, so it keeps the queue it asked for.</para>
/// <para>Order is kept: stage i+1 sees what stage i emitted in the order it emitted it, timers and the last flush
/// included. A full downstream queue (block policy) pauses the whole chain, which is the backpressure its queue
/// passes on to the runners.</para>
/// </remarks>
internal sealed class AnalyzerChain
{
    private readonly AnalyzerStage[] _stages;
    private readonly StageQueue _input;
    private readonly IStageTarget _output;
    private readonly TimeProvider _time;
    private readonly bool _eventTime;
    private readonly IPipelineClock? _wallClock;
    private readonly List<AgentEvent> _arrived = new(1);
    private long _wallDue;
    private Task<bool>? _pendingWait;

    public AnalyzerChain(AnalyzerStage[] stages, StageQueue input, IStageTarget output, TimeProvider time)
    {
        _stages = stages;
        _input = input;
        _output = output;
        _time = time;
        _eventTime = stages.Any(s => s.Clock.IsEventTime);
        _wallClock = stages.Select(s => s.Clock).FirstOrDefault(c => !c.IsEventTime);
        _wallDue = NextWallDeadline();
    }

    public IReadOnlyList<AnalyzerStage> Stages => _stages;

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = Task.Run(RunAsync);

    private async Task RunAsync()
    {
        var reader = _input.Reader;
        while (true)
        {
            while (reader.TryRead(out var evt))
            {
                _arrived.Add(evt);
                await RouteAsync(_arrived, first: 0);
                if (TimersMayBeDue())
                {
                    await RunDueTimersAsync();
                }
            }
            if (!await WaitForInputAsync())
            {
                break;
            }
            if (TimersMayBeDue())
            {
                await RunDueTimersAsync();
            }
        }

        // Each stage hands over what it holds, and that goes through the stages after it before they flush in turn.
        for (var i = 0; i < _stages.Length; i++)
        {
            var stage = _stages[i];
            var started = Stopwatch.GetTimestamp();
            stage.FlushAtShutdown();
            stage.Metrics.AddBusy(Stopwatch.GetTimestamp() - started);
            await RouteEmittedAsync(i);
            stage.Stop();
        }
        _output.Complete();
    }

    /// <summary>Passes <paramref name="events"/> through the stages from <paramref name="first"/> on, then hands on what is left.</summary>
    /// <remarks>Empties <paramref name="events"/> and every stage's <see cref="AnalyzerStage.Emitted"/> it used.</remarks>
    private ValueTask RouteAsync(List<AgentEvent> events, int first)
    {
        var current = events;
        var started = Stopwatch.GetTimestamp();
        for (var i = first; i < _stages.Length && current.Count > 0; i++)
        {
            var stage = _stages[i];
            for (var e = 0; e < current.Count; e++)
            {
                stage.Accept(current[e]);
            }
            current.Clear();
            if (!_eventTime && stage.WallTimerDeadline is { } deadline && deadline < _wallDue)
            {
                // The stage set a timer as it took these events (an interval read after each call may start one).
                _wallDue = deadline;
            }
            var now = Stopwatch.GetTimestamp();
            stage.Metrics.AddBusy(now - started);
            started = now;
            current = stage.Emitted;
            stage.Metrics.AddOut(current.Count);
        }
        return ForwardAsync(current);
    }

    /// <summary>Sends what stage <paramref name="index"/> emitted outside of an event (a timer, its last flush) down the chain.</summary>
    private ValueTask RouteEmittedAsync(int index)
    {
        var emitted = _stages[index].Emitted;
        if (emitted.Count == 0)
        {
            return default;
        }
        _stages[index].Metrics.AddOut(emitted.Count);
        return RouteAsync(emitted, index + 1);
    }

    /// <summary>
    /// True when a stage's timer may be due: on the wall clock, one clock read against the chain's earliest deadline;
    /// in replay, where each stage's clock follows its own events, always (each stage then checks its own).
    /// </summary>
    private bool TimersMayBeDue() => _eventTime || (_wallDue != long.MaxValue && _wallClock!.Now >= _wallDue);

    private async ValueTask RunDueTimersAsync()
    {
        for (var i = 0; i < _stages.Length; i++)
        {
            var stage = _stages[i];
            var started = Stopwatch.GetTimestamp();
            if (stage.RunTimerIfDue())
            {
                stage.Metrics.AddBusy(Stopwatch.GetTimestamp() - started);
                await RouteEmittedAsync(i);
            }
        }
        _wallDue = NextWallDeadline();
    }

    /// <summary>Hands the chain's output on; synchronous unless a downstream queue is full.</summary>
    private ValueTask ForwardAsync(List<AgentEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            var write = _output.WriteAsync(events[i]);
            if (!write.IsCompletedSuccessfully)
            {
                return ForwardSlowAsync(events, write, i);
            }
            write.GetAwaiter().GetResult();
        }
        events.Clear();
        return default;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ForwardSlowAsync(List<AgentEvent> events, ValueTask blocked, int index)
    {
        await blocked;
        for (var i = index + 1; i < events.Count; i++)
        {
            await _output.WriteAsync(events[i]);
        }
        events.Clear();
    }

    /// <summary>Waits for input; with a live wall-clock timer, wakes up in time for it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> WaitForInputAsync()
    {
        _wallDue = NextWallDeadline();
        if (_wallDue == long.MaxValue)
        {
            return await _input.Reader.WaitToReadAsync();
        }
        _pendingWait ??= _input.Reader.WaitToReadAsync().AsTask();
        var due = TimeSpan.FromTicks(Math.Max(0, (_wallDue - _wallClock!.Now) / 100));
        if (due > TimeSpan.Zero && !_pendingWait.IsCompleted)
        {
            using var delayCancel = new CancellationTokenSource();
            var delay = Delays.For(due, _time, delayCancel.Token);
            await Task.WhenAny(_pendingWait, delay);
            await delayCancel.CancelAsync();
        }
        if (!_pendingWait.IsCompleted)
        {
            return true; // A timer is due; the caller fires it and comes back.
        }
        var result = await _pendingWait;
        _pendingWait = null;
        return result;
    }

    /// <summary>The earliest wall-clock timer deadline of the chain's stages, or <see cref="long.MaxValue"/> when time alone wakes none.</summary>
    private long NextWallDeadline()
    {
        var earliest = long.MaxValue;
        foreach (var stage in _stages)
        {
            if (stage.WallTimerDeadline is { } deadline && deadline < earliest)
            {
                earliest = deadline;
            }
        }
        return earliest;
    }
}
