using AgentSight.Contracts;

namespace AgentSight.Plugins.SslFilter.Expressions;

/// <summary>One <c>ssl</c> event as conditions see it; what is costly to compute is computed once per event.</summary>
internal sealed class SslEventView
{
    private bool? _isText;

    public AgentEvent Event { get; private set; } = null!;

    public TlsPayload Payload { get; private set; } = null!;

    /// <summary>True when the payload is written as text (not <c>HEX:</c>); computed on first use.</summary>
    public bool IsText => _isText ??= TlsPayload.IsText(Payload.Bytes.Span);

    /// <summary>Points the view at another event (one view is reused for every event).</summary>
    public SslEventView Reset(AgentEvent evt, TlsPayload payload)
    {
        Event = evt;
        Payload = payload;
        _isText = null;
        return this;
    }
}
