using AgentSight.Contracts;
using AgentSight.Plugins.SslFilter.Expressions;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.SslFilter;

/// <summary>Drops <c>ssl</c> events that match any configured expression; every other event passes untouched.</summary>
public sealed class SslFilter : IAnalyzer
{
    private readonly SslExpression[] _expressions;
    private readonly SslEventView _view = new();
    private readonly Counter _evaluated;
    private readonly Counter _dropped;

    /// <summary>Creates the filter from a validated configuration.</summary>
    public SslFilter(SslFilterConfig config, IStageContext context)
    {
        var expressions = config.Expressions().ToList();
        _expressions = [.. expressions.Select(e => SslExpressionParser.Parse(e.Expression))];
        _evaluated = context.Counter("evaluated");
        _dropped = context.Counter("dropped");
        context.Logger.LogDebug("Dropping ssl events that match any of {Count} expressions: {Expressions}",
            _expressions.Length, string.Join(" ; ", expressions.Select(e => e.Expression)));
    }

    /// <summary>Without expressions every event passes: the host leaves the stage out of the event path.</summary>
    public bool PassesEverything => _expressions.Length == 0;

    /// <inheritdoc />
    public void Process(AgentEvent evt, IEventOutput output)
    {
        if (_expressions.Length == 0 || evt.Source is not (EventSources.Ssl or EventSources.Socket) || evt.Data is not TlsPayload payload)
        {
            output.Emit(evt);
            return;
        }
        _evaluated.Add();
        var view = _view.Reset(evt, payload);
        foreach (var expression in _expressions)
        {
            if (expression.Matches(view))
            {
                _dropped.Add();
                return;
            }
        }
        output.Emit(evt);
    }
}
