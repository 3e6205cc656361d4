using System.Collections.Concurrent;
using AgentSight.Contracts;

namespace AgentSight.Tests.Support;

/// <summary>An empty configuration for in-test plugins.</summary>
public sealed class NoConfig : PluginConfig;

/// <summary>An analyzer factory whose instances are built by a delegate, for engine tests without assembly loading.</summary>
public sealed class DelegateAnalyzerFactory(Func<IStageContext, IAnalyzer> create, OnError onError = OnError.Pass, IReadOnlyCollection<string>? roles = null)
    : AnalyzerFactory<NoConfig>
{
    public int Created { get; private set; }

    public override string Description => "test analyzer";

    public override IReadOnlyCollection<string> Roles => roles ?? [];

    public override OnError DefaultOnError => onError;

    protected override IAnalyzer Create(NoConfig config, IStageContext context)
    {
        Created++;
        return create(context);
    }
}

/// <summary>An analyzer defined by lambdas.</summary>
public sealed class LambdaAnalyzer : IAnalyzer
{
    public Action<AgentEvent, IEventOutput> OnProcess { get; init; } = (e, o) => o.Emit(e);

    public Action<long, IEventOutput>? OnTick { get; init; }

    public Action<IEventOutput>? OnFlush { get; init; }

    private readonly TimeSpan _timerInterval;

    /// <summary>A fixed interval, or what <see cref="Interval"/> answers at each read when it is set.</summary>
    public TimeSpan TimerInterval { get => Interval?.Invoke() ?? _timerInterval; init => _timerInterval = value; }

    /// <summary>An interval that changes (contracts 2.1: the host reads it after every call).</summary>
    public Func<TimeSpan>? Interval { get; init; }

    public bool PassesEverything { get; init; }

    public void Process(AgentEvent evt, IEventOutput output) => OnProcess(evt, output);

    public void OnTimer(long now, IEventOutput output) => OnTick?.Invoke(now, output);

    public void Flush(IEventOutput output) => OnFlush?.Invoke(output);
}

/// <summary>A sink that keeps every event it gets, in order, across restarts.</summary>
public sealed class CollectingSinkFactory : SinkFactory<NoConfig>
{
    public ConcurrentQueue<AgentEvent> Received { get; } = new();

    /// <summary>Throws from Write when this returns true.</summary>
    public Func<AgentEvent, bool> FailWhen { get; init; } = _ => false;

    /// <summary>Awaited before each Write is allowed to finish (to hold the sink back).</summary>
    public SemaphoreSlim? Gate { get; init; }

    public Func<ValueTask>? OnStart { get; init; }

    /// <summary>Runs in StopAsync with the instance's context (to count what it lost, or to throw).</summary>
    public Action<IStageContext>? OnStop { get; init; }

    public int Started;
    public int Stopped;

    public override string Description => "test sink";

    protected override ISink Create(NoConfig config, IStageContext context) => new Sink(this, context);

    private sealed class Sink(CollectingSinkFactory owner, IStageContext context) : ISink
    {
        public async ValueTask StartAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref owner.Started);
            if (owner.OnStart is not null)
            {
                await owner.OnStart();
            }
        }

        public void Write(ReadOnlyEvent evt)
        {
            owner.Gate?.Wait();
            // A copy of its own: the event is shared and read-only, and the tests read what arrived as events.
            var received = evt.ToAgentEvent();
            if (owner.FailWhen(received))
            {
                throw new IOException($"planted sink failure on {evt}");
            }
            owner.Received.Enqueue(received);
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken) => default;

        public ValueTask StopAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref owner.Stopped);
            owner.OnStop?.Invoke(context);
            return default;
        }
    }
}
