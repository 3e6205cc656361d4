using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>The host-side settings of one stage (the manifest keys beside <c>config</c>).</summary>
/// <param name="QueueCapacity">Bound of the stage's input queue (<c>queue_capacity</c>).</param>
/// <param name="Backpressure">What the queue does when full (<c>backpressure</c>).</param>
/// <param name="MaxFailures">Failures after which the stage is taken out of the pipeline; 0 means never (<c>max_failures</c>).</param>
/// <param name="OnError">What becomes of the event an analyzer threw on (<c>on_error</c>; analyzers only).</param>
/// <param name="OwnQueue">
/// The manifest set this analyzer's <c>queue_capacity</c> or <c>backpressure</c>: it starts a chain of its own instead of
/// running in its predecessor's task (<see cref="AnalyzerChain"/>). Sinks always have their own queue.
/// </param>
internal sealed record StageSettings(int QueueCapacity, Backpressure Backpressure, int MaxFailures, OnError OnError, bool OwnQueue = false)
{
    public const int DefaultQueueCapacity = 1024;
    public const int MaxQueueCapacity = 1 << 20;
    public const int DefaultMaxFailures = 10;
}
