namespace AgentSight.Plugins.Sse;

/// <summary>Splits a body into events, whatever the pieces it arrives in.</summary>
internal abstract class StreamParser
{
    /// <summary>Bytes the parser holds on to (partial line, data being gathered).</summary>
    public abstract long BufferedBytes { get; }

    /// <summary>Lines or events cut at the line cap.</summary>
    public int LinesCut { get; protected set; }

    public abstract void Feed(ReadOnlySpan<byte> bytes, IEventSink sink);

    /// <summary>The body ended: an unterminated event is dispatched flagged as cut (a recorder keeps what it got).</summary>
    public abstract void Finish(IEventSink sink);

    /// <summary>Bytes went missing: drop the partial line or event, which can no longer be right.</summary>
    public abstract void Discontinuity();

    public abstract void Release();
}
