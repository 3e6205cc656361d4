using AgentSight.Contracts;
using AgentSight.Host.Runners;

namespace AgentSight.Host.Pipeline;

/// <summary>Every counter of a pipeline: its sources and its stages in manifest order.</summary>
internal sealed class PipelineMetrics : IPipelineMetrics, IDisposable
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The sampling period while nothing moves (every queue empty, no event in since the last sample): an idle recording
    /// is not woken twenty times a second to read zeros. A queue that fills in between still records its high-water mark
    /// (<see cref="StageMetrics.NoteFull"/>).
    /// </summary>
    private static readonly TimeSpan SampleWhileIdle = TimeSpan.FromSeconds(1);
    private readonly List<RunnerMetrics> _sources = [];
    private readonly Lock _sourcesLock = new();
    private readonly TimeProvider _time;
    private ITimer? _sampler;
    private long _eventsAtLastSample = -1;
    private bool _sampledIdle;

    public PipelineMetrics(IReadOnlyList<StageMetrics> stages, TimeProvider time)
    {
        Stages = stages;
        _time = time;
    }

    /// <summary>Every stage, in manifest order.</summary>
    public IReadOnlyList<StageMetrics> Stages { get; }

    public void AddSource(RunnerMetrics source)
    {
        lock (_sourcesLock)
        {
            _sources.Add(source);
        }
    }

    /// <summary>Starts sampling queue depths for their high-water marks.</summary>
    public void StartSampling() =>
        _sampler ??= _time.CreateTimer(static state => ((PipelineMetrics)state!).SampleDepths(), this, SampleEvery, SampleEvery);

    public PipelineMetricsSnapshot Snapshot()
    {
        RunnerMetrics[] sources;
        lock (_sourcesLock)
        {
            sources = [.. _sources];
        }
        return new PipelineMetricsSnapshot
        {
            TakenAt = _time.GetUtcNow(),
            Sources = [.. sources.Select(s => s.Snapshot())],
            Stages = [.. Stages.Select(s => s.Snapshot())],
        };
    }

    public void Dispose() => _sampler?.Dispose();

    private void SampleDepths()
    {
        var moving = false;
        var events = 0L;
        foreach (var stage in Stages)
        {
            moving |= stage.SampleDepth() > 0;
            events += stage.In;
        }
        moving |= events != _eventsAtLastSample;
        _eventsAtLastSample = events;
        if (moving == _sampledIdle)
        {
            _sampledIdle = !moving;
            var period = moving ? SampleEvery : SampleWhileIdle;
            try
            {
                _sampler?.Change(period, period);
            }
            catch (ObjectDisposedException)
            {
                // The pipeline ended while this sample ran: nothing left to sample.
            }
        }
    }
}
