using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>The host-side settings of one stage (the manifest keys beside <c>config</c>).</summary>
/// <param name="QueueCapacity">Bound of the stage's input queue (<c>queue_capacity</c>).</param>
/// <param name="Backpressure">What the queue does when full (<c>backpressure</c>).</param>
/// <param name="MaxFailures">Failures after which the stage is taken out of the pipeline; 0 means never (<c>max_failures</c>).</param>
/// <param name="OnError">What becomes of the event an analyzer threw on (<c>on_error</c>; analyzers only).</param>
internal sealed record StageSettings(int QueueCapacity, Backpressure Backpressure, int MaxFailures, OnError OnError)
{
    public const int DefaultQueueCapacity = 1024;
    public const int MaxQueueCapacity = 1 << 20;
    public const int DefaultMaxFailures = 10;
}
