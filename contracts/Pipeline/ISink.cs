namespace AgentSight.Contracts;

/// <summary>The end of the pipeline: consumes every event that reaches the end of the analyzer chain.</summary>
/// <remarks>
/// <para>Lifecycle: <see cref="StartAsync"/> once, then <see cref="Write"/> for each event, with
/// <see cref="FlushAsync"/> whenever the sink's queue is momentarily empty (at most every 5 ms under the <c>block</c>
/// policy: events that come within that time are written first), then a last <see cref="FlushAsync"/> and
/// <see cref="StopAsync"/> at shutdown. <see cref="StopAsync"/> must be safe without <see cref="StartAsync"/> and when
/// called twice.</para>
/// <para>Every sink gets its own copy of the stream on its own task, so a slow sink does not delay another one
/// unless its queue is full under the <c>block</c> policy. The events themselves are shared between sinks, so a sink
/// gets each as a <see cref="ReadOnlyEvent"/>, through which it cannot change it (since 2.0; before, the parameter was
/// an <see cref="AgentEvent"/> and the rule only a comment).</para>
/// </remarks>
public interface ISink
{
    /// <summary>Opens what the sink writes to (files, sockets). Return quickly; start background work here.</summary>
    ValueTask StartAsync(CancellationToken cancellationToken);

    /// <summary>Takes one event. Buffer, and push out in <see cref="FlushAsync"/>.</summary>
    void Write(ReadOnlyEvent evt);

    /// <summary>Pushes buffered output out; called when the queue is empty (at most every 5 ms) and before stopping.</summary>
    /// <remarks>
    /// A sink that writes on a timer by design (a database transaction per interval rather than one per flush, which in
    /// a live session would be one per event) may leave the push to its timer, within a bound it documents;
    /// <see cref="StopAsync"/> then writes what is left.
    /// </remarks>
    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>Closes everything after the last event and flush.</summary>
    ValueTask StopAsync(CancellationToken cancellationToken);
}
