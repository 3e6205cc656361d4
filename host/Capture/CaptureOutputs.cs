using System.Diagnostics;
using AgentSight.Contracts;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners;

namespace AgentSight.Host.Capture;

/// <summary>Where a capture session's events go: the pipeline, per source, with each source's counters.</summary>
internal sealed class CaptureOutputs
{
    public Action<AgentEvent>? Tls { get; init; }

    public RunnerMetrics? TlsMetrics { get; init; }

    public Action<AgentEvent>? Process { get; init; }

    public RunnerMetrics? ProcessMetrics { get; init; }

    /// <summary>Where <c>network</c> events go (connect, TLS hello, TLS unseen); null: none are made.</summary>
    public Action<AgentEvent>? Network { get; init; }

    public RunnerMetrics? NetworkMetrics { get; init; }

    /// <summary>Where <c>socket</c> events go (plaintext sockets); null: none are made.</summary>
    public Action<AgentEvent>? Socket { get; init; }

    public RunnerMetrics? SocketMetrics { get; init; }

    /// <summary>Where <c>stdio</c> events go (pipes, ttys, socket pairs); null: none are made.</summary>
    public Action<AgentEvent>? Stdio { get; init; }

    public RunnerMetrics? StdioMetrics { get; init; }

    /// <summary>Where <c>resource</c> events go (CPU time and memory samples); null: none are made.</summary>
    public Action<AgentEvent>? Resource { get; init; }

    /// <summary>The same outputs, each passed through <paramref name="map"/> (a missing one stays missing); the counters are the same.</summary>
    public CaptureOutputs Map(Func<Action<AgentEvent>, Action<AgentEvent>> map) => new()
    {
        Tls = Tls is null ? null : map(Tls),
        TlsMetrics = TlsMetrics,
        Process = Process is null ? null : map(Process),
        ProcessMetrics = ProcessMetrics,
        Network = Network is null ? null : map(Network),
        NetworkMetrics = NetworkMetrics,
        Socket = Socket is null ? null : map(Socket),
        SocketMetrics = SocketMetrics,
        Stdio = Stdio is null ? null : map(Stdio),
        StdioMetrics = StdioMetrics,
        Resource = Resource is null ? null : map(Resource),
    };

    /// <summary>
    /// Writes to the pipeline from the polling thread, waiting when the first queue is full (block policy): the
    /// kernel ring then fills, and what it cannot hold is counted by the programs, never lost silently. A wait is told
    /// to <paramref name="waited"/> a slice at a time while it lasts.
    /// </summary>
    public static Action<AgentEvent> ToPipeline(PipelineInput input, RunnerMetrics metrics, Action<TimeSpan>? waited = null) => evt =>
    {
        var write = input.WriteAsync(evt, metrics);
        if (!write.IsCompletedSuccessfully)
        {
            var wait = write.AsTask();
            var since = Stopwatch.GetTimestamp();
            while (!Ended(wait))
            {
                waited?.Invoke(Stopwatch.GetElapsedTime(since));
                since = Stopwatch.GetTimestamp();
            }
            waited?.Invoke(Stopwatch.GetElapsedTime(since));
            wait.GetAwaiter().GetResult();
        }
    };

    /// <summary>How often a long wait for the pipeline is told while it lasts.</summary>
    private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits up to <see cref="WaitSlice"/>; a failed write counts as ended (its own exception is thrown after).</summary>
    private static bool Ended(Task wait)
    {
        try
        {
            return wait.Wait(WaitSlice);
        }
        catch (AggregateException)
        {
            return true;
        }
    }
}
