using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.HttpFilter.Expressions;
using Microsoft.Extensions.Logging;

namespace AgentSight.Plugins.HttpFilter;

/// <summary>
/// Drops <c>http</c> exchanges (and the original tool's <c>http_parser</c> messages) that match any configured
/// expression, then the events that follow a dropped exchange with its <c>exchange_id</c>.
/// </summary>
public sealed class HttpFilter : IAnalyzer
{
    /// <summary>The original tool's one-message HTTP events, still found in replayed recordings.</summary>
    private const string OriginalHttpSource = "http_parser";

    private readonly HttpExpression[] _expressions;
    private readonly RecentIds? _dropped;
    private readonly Counter _evaluated;
    private readonly Counter _droppedCount;
    private readonly Counter _droppedRelated;
    private readonly Counter _forgotten;

    /// <summary>Creates the filter from a validated configuration.</summary>
    public HttpFilter(HttpFilterConfig config, IStageContext context)
    {
        var expressions = config.Expressions().ToList();
        _expressions = [.. expressions.Select(e => HttpExpressionParser.Parse(e.Expression))];
        _dropped = config.DropRelated ? new RecentIds(config.RelatedCapacity) : null;
        _evaluated = context.Counter("evaluated");
        _droppedCount = context.Counter("dropped");
        _droppedRelated = context.Counter("dropped_related");
        _forgotten = context.Counter("related_ids_forgotten");
        context.Logger.LogDebug("Dropping HTTP exchanges that match any of {Count} expressions: {Expressions}",
            _expressions.Length, string.Join(" ; ", expressions.Select(e => e.Expression)));
    }

    /// <summary>Without expressions every event passes: the host leaves the stage out of the event path.</summary>
    public bool PassesEverything => _expressions.Length == 0;

    /// <inheritdoc />
    public void Process(AgentEvent evt, IEventOutput output)
    {
        if (_expressions.Length == 0)
        {
            output.Emit(evt);
            return;
        }
        if (evt.Fields is not { } fields)
        {
            // Typed body pieces and WebSocket messages belong to an exchange too.
            var owner = evt.Data switch
            {
                HttpBodyPayload piece => piece.ExchangeId,
                WebSocketMessagePayload message => message.ExchangeId,
                _ => null,
            };
            if (owner is not null && _dropped?.Contains(owner) == true)
            {
                _droppedRelated.Add();
                return;
            }
            output.Emit(evt);
            return;
        }
        var exchangeId = fields["exchange_id"] is JsonValue id && id.TryGetValue(out string? text) ? text : null;
        if (evt.Source is "http" or OriginalHttpSource)
        {
            _evaluated.Add();
            var (request, response) = evt.Source == "http" ? HttpMessageView.OfExchange(fields) : HttpMessageView.OfOriginal(fields);
            if (Matches(request, response))
            {
                _droppedCount.Add();
                if (exchangeId is not null && _dropped?.Add(exchangeId) == true)
                {
                    _forgotten.Add();
                }
                return;
            }
        }
        else if (exchangeId is not null && _dropped?.Contains(exchangeId) == true)
        {
            _droppedRelated.Add();
            // The llm event is the last one of an HTTP exchange: nothing more will come with this id. Not so for a
            // WebSocket upgrade, whose messages and calls all carry its id until the connection closes.
            if (evt.Source == "llm" && !(fields["transport"] is JsonValue transport && transport.TryGetValue(out string? via) && via == "websocket"))
            {
                _dropped.Remove(exchangeId);
            }
            return;
        }
        output.Emit(evt);
    }

    private bool Matches(HttpMessageView? request, HttpMessageView? response)
    {
        foreach (var expression in _expressions)
        {
            if (expression.Matches(request, response))
            {
                return true;
            }
        }
        return false;
    }
}
