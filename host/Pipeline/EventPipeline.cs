using AgentSight.Contracts;
using AgentSight.Host.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Pipeline;

/// <summary>The event bus: bounded queues between the stages of a validated plan, from the runners to the sinks.</summary>
/// <remarks>
/// Lifecycle: <see cref="Create"/> builds queues and plugin instances without outside effects; <see cref="StartAsync"/>
/// opens the sinks and starts one task per analyzer chain and per sink (<see cref="CreateAndStartAsync"/> does both,
/// opening the sinks while the analyzers are created); runners write to <see cref="Input"/>; <see cref="CompleteAsync"/>
/// completes the input, then every stage drains its queue, flushes what it holds and completes the next, in order,
/// down to the sinks, which flush and close. Completion is the only shutdown signal, so nothing accepted is lost.
/// </remarks>
internal sealed class EventPipeline : IDisposable
{
    private readonly List<AnalyzerChain> _chains;
    private readonly List<SinkStage> _sinks;
    private readonly ILogger _log;
    private readonly Task[]? _opening;
    private bool _started;

    private EventPipeline(List<AnalyzerChain> chains, List<SinkStage> sinks, PipelineInput input, PipelineMetrics metrics, ILogger log,
        Task[]? opening)
    {
        _chains = chains;
        _sinks = sinks;
        Input = input;
        Metrics = metrics;
        _log = log;
        _opening = opening;
    }

    public PipelineInput Input { get; }

    public PipelineMetrics Metrics { get; }

    /// <summary>The counters of every stage of <paramref name="plan"/>, in manifest order, before any instance exists.</summary>
    /// <remarks>
    /// Made apart from the pipeline so that a run can read them while the pipeline is still being created: a plugin
    /// whose constructor never returns is then named when the user gives up on it (<see cref="PipelineSession"/>).
    /// </remarks>
    public static PipelineMetrics CreateMetrics(PipelinePlan plan, TimeProvider time)
    {
        var listings = plan.Analyzers.Concat(plan.Sinks)
            .Select(s => new StageListing(s.Id, s.Plugin, s.Position, s.Kind, Enabled: true))
            .Concat(plan.Disabled)
            .OrderBy(l => l.Position)
            .ToList();
        var allEnabled = plan.Analyzers.Concat(plan.Sinks).ToDictionary(s => s.Id, StringComparer.Ordinal);
        return new PipelineMetrics([.. listings.Select(listing =>
        {
            var settings = allEnabled.TryGetValue(listing.Id, out var enabled) ? enabled.Settings : null;
            return new StageMetrics(listing, settings?.QueueCapacity ?? 0, settings?.Backpressure ?? Backpressure.Block);
        })], time);
    }

    /// <summary>Builds the pipeline and creates every plugin instance. Touches nothing outside the process.</summary>
    /// <param name="plan">The validated plan.</param>
    /// <param name="loggerFactory">Loggers for the host and for each stage (category = stage id).</param>
    /// <param name="time">The time source for live timers and metrics sampling.</param>
    /// <param name="eventTime">True for replay: each stage's clock follows the events it sees.</param>
    /// <param name="metrics">The counters, from <see cref="CreateMetrics"/>; made here when null.</param>
    public static EventPipeline Create(PipelinePlan plan, ILoggerFactory loggerFactory, TimeProvider time, bool eventTime,
        PipelineMetrics? metrics = null) => Build(plan, loggerFactory, time, eventTime, metrics, sinksCreated: null);

    /// <summary>
    /// <see cref="Create"/> then <see cref="StartAsync"/>, with the sinks opening while the analyzers are created: a
    /// database, a web server and a file each take tens of milliseconds of a run's start (mostly their code's first
    /// run), and so do the analyzers' constructors; side by side, the start waits for the longer of the two only.
    /// </summary>
    public static async Task<EventPipeline> CreateAndStartAsync(PipelinePlan plan, ILoggerFactory loggerFactory, TimeProvider time,
        bool eventTime, PipelineMetrics metrics, CancellationToken cancellationToken)
    {
        List<SinkStage>? openingSinks = null;
        Task[]? opening = null;
        EventPipeline pipeline;
        try
        {
            pipeline = Build(plan, loggerFactory, time, eventTime, metrics, sinks =>
            {
                openingSinks = sinks;
                return opening = BeginOpening(sinks, cancellationToken);
            });
        }
        catch
        {
            // An analyzer could not be created: the sinks that opened meanwhile are closed again.
            if (openingSinks is not null && opening is not null)
            {
                await CloseOpenedAsync(openingSinks, opening);
            }
            throw;
        }
        try
        {
            await pipeline.StartAsync(cancellationToken);
            return pipeline;
        }
        catch
        {
            pipeline.Dispose();
            throw;
        }
    }

    private static EventPipeline Build(PipelinePlan plan, ILoggerFactory loggerFactory, TimeProvider time, bool eventTime,
        PipelineMetrics? metrics, Func<List<SinkStage>, Task[]>? sinksCreated)
    {
        var log = loggerFactory.CreateLogger("AgentSight.Pipeline");
        var wallClock = new WallClock(time);
        metrics ??= CreateMetrics(plan, time);
        var stageMetrics = metrics.Stages.ToDictionary(m => m.Listing.Id, StringComparer.Ordinal);

        (StageContext Context, StageEventClock? Clock) ContextFor(StagePlan stage)
        {
            var clock = eventTime ? new StageEventClock() : null;
            var context = new StageContext(stage.Id, loggerFactory.CreateLogger(stage.Id),
                clock ?? (IPipelineClock)wallClock, metrics, stageMetrics[stage.Id]);
            return (context, clock);
        }

        var sinks = new List<SinkStage>();
        foreach (var stage in plan.Sinks)
        {
            var m = stageMetrics[stage.Id];
            var queue = new StageQueue(stage.Settings.QueueCapacity, stage.Settings.Backpressure, m);
            m.Queue = queue;
            var (context, clock) = ContextFor(stage);
            sinks.Add(new SinkStage(stage, queue, context, m, clock, log));
        }
        IStageTarget next = sinks.Count == 0 ? DiscardTarget.Instance : new FanOutTarget([.. sinks.Select(s => s.Input)]);

        // Every instance is created before anything is wired: an analyzer with nothing to do is then left out of the
        // event path instead of costing a queue hop per event. The sinks first, so that they can open meanwhile.
        var instances = new List<(StagePlan Stage, StageContext Context, StageEventClock? Clock, IAnalyzer Instance)>();
        Task[]? opening = null;
        try
        {
            for (var i = 0; i < sinks.Count; i++)
            {
                CreateInstance(plan.Sinks[i], sinks[i].CreateInstance);
                RunTimings.Mark($"pipeline: sink {plan.Sinks[i].Id} created");
            }
            opening = sinksCreated?.Invoke(sinks);
            foreach (var stage in plan.Analyzers)
            {
                var (context, clock) = ContextFor(stage);
                var m = stageMetrics[stage.Id];
                m.Enter(PluginCall.Create);
                var instance = CreateInstance(stage, () => ((IAnalyzerFactory)stage.Factory).Create(stage.Config, context));
                m.Leave();
                RunTimings.Mark($"pipeline: stage {stage.Id} created");
                instances.Add((stage, context, clock, instance));
            }
        }
        catch
        {
            metrics.Dispose();
            throw;
        }

        // Which stages see events only after redaction, and so may log their content when they fail.
        var descriptions = new Dictionary<string, EventDescription>(StringComparer.Ordinal);
        var redacted = false;
        foreach (var (stage, _, _, instance) in instances)
        {
            descriptions[stage.Id] = redacted ? EventDescription.Content : EventDescription.ShapeOnly;
            redacted |= Redaction.Redacts(stage) && !instance.PassesEverything;
        }
        foreach (var sink in sinks)
        {
            sink.Events = redacted ? EventDescription.Content : EventDescription.ShapeOnly;
        }

        // The stages left in the event path run in chains: one task and one queue per run of analyzers, a new chain
        // where a stage asked for a queue of its own (AnalyzerChain says why).
        var inPath = new List<AnalyzerStage>();
        var chainStarts = new List<int>();
        foreach (var (stage, context, clock, instance) in instances)
        {
            var m = stageMetrics[stage.Id];
            if (instance.PassesEverything)
            {
                m.SetState(StageState.Bypassed);
                (instance as IDisposable)?.Dispose();
                log.LogDebug("Stage {Stage} (plugin {Plugin}) has nothing to do with its configuration: events go past it", stage.Id, stage.Plugin);
                continue;
            }
            if (inPath.Count == 0 || stage.Settings.OwnQueue)
            {
                chainStarts.Add(inPath.Count);
            }
            inPath.Add(new AnalyzerStage(stage, context, m, clock, log, instance, descriptions[stage.Id]));
        }
        var chains = new List<AnalyzerChain>();
        for (var c = chainStarts.Count - 1; c >= 0; c--)
        {
            var start = chainStarts[c];
            var end = c + 1 < chainStarts.Count ? chainStarts[c + 1] : inPath.Count;
            var stages = inPath.GetRange(start, end - start).ToArray();
            var head = stages[0];
            var queue = new StageQueue(head.Plan.Settings.QueueCapacity, head.Plan.Settings.Backpressure, head.Metrics);
            head.Metrics.Queue = queue;
            foreach (var follower in stages.Skip(1))
            {
                follower.Metrics.ShareChainQueue();
            }
            chains.Insert(0, new AnalyzerChain(stages, queue, next, time));
            next = queue;
        }

        var pipeline = new EventPipeline(chains, sinks, new PipelineInput(next), metrics, log, opening);
        if (sinks.Count == 0)
        {
            log.LogWarning("No sink is enabled: events are processed and then discarded");
        }
        return pipeline;
    }

    /// <summary>Opens every sink on the pool, side by side.</summary>
    private static Task[] BeginOpening(List<SinkStage> sinks, CancellationToken cancellationToken) =>
        [.. sinks.Select(sink => Task.Run(async () =>
        {
            await sink.OpenAsync(cancellationToken);
            RunTimings.Mark($"pipeline: sink {sink.Id} opened");
        }, CancellationToken.None))];

    /// <summary>Waits for every opening to end, then closes the sinks that opened.</summary>
    private static async Task CloseOpenedAsync(List<SinkStage> sinks, Task[] opening)
    {
        try
        {
            await Task.WhenAll(opening);
        }
        catch (Exception)
        {
            // Reported by the caller; here only which ones opened matters.
        }
        for (var i = 0; i < sinks.Count; i++)
        {
            if (opening[i].IsCompletedSuccessfully)
            {
                await sinks[i].CloseAsync();
            }
        }
    }

    private static T CreateInstance<T>(StagePlan stage, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Exception ex)
        {
            throw new PipelineStartException(
                $"stage {stage.Position} (\"{stage.Id}\", plugin {stage.Plugin}) could not be created: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Opens every sink, side by side (unless <see cref="CreateAndStartAsync"/> began that already), then starts every
    /// stage's task. When one cannot open, those that did are closed and the first failure in manifest order is reported.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var opening = _opening ?? BeginOpening(_sinks, cancellationToken);
        try
        {
            await Task.WhenAll(opening);
        }
        catch (Exception)
        {
            await CloseOpenedAsync(_sinks, opening);
            var failed = Array.FindIndex(opening, t => !t.IsCompletedSuccessfully);
            var ex = opening[failed].Exception?.InnerException ?? new OperationCanceledException(cancellationToken);
            throw new PipelineStartException($"sink \"{_sinks[failed].Id}\" could not start: {ex.Message}", ex);
        }
        foreach (var sink in _sinks)
        {
            sink.Start();
        }
        foreach (var chain in _chains)
        {
            chain.Start();
        }
        Metrics.StartSampling();
        _started = true;
    }

    /// <summary>No more input: drain every stage in order, flush, close the sinks.</summary>
    public async Task CompleteAsync()
    {
        Input.Complete();
        if (!_started)
        {
            return;
        }
        foreach (var chain in _chains)
        {
            await chain.Completion;
        }
        foreach (var sink in _sinks)
        {
            await sink.Completion;
        }
        _log.LogDebug("Pipeline drained");
    }

    /// <summary>
    /// The stages whose failure lost events for good, once the pipeline has drained: sinks taken out, and fail-closed
    /// analyzers taken out (an analyzer that lets events around it once out loses nothing: they reach the sinks).
    /// </summary>
    public IReadOnlyList<StageFailure> Failures() =>
        [.. _chains.SelectMany(c => c.Stages).Select(a => a.Failure()).Concat(_sinks.Select(s => s.Failure())).OfType<StageFailure>()];

    public void Dispose() => Metrics.Dispose();
}
