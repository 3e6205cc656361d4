using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>How a stage's failure log shows the event it failed on and the exception it threw.</summary>
/// <remarks>
/// Redaction is a stage like any other: the stages before <c>redact</c> see events as captured, credentials included,
/// and a log line goes to a terminal, a journal or a CI log that no sink setting protects. So a stage whose events
/// have not been through redaction logs only their shape (<see cref="EventShape"/>) and an exception's type and stack
/// without its message (a parser's message often quotes the value it could not read). Only a stage after a
/// fail-closed <c>redact</c> stage, which lets no event past unredacted, logs the event's JSON (cut at 400
/// characters) and the exception in full.
/// </remarks>
internal sealed class EventDescription
{
    /// <summary>For stages that see events before (or without) redaction.</summary>
    public static readonly EventDescription ShapeOnly = new(showsContent: false);

    /// <summary>For stages after a fail-closed redaction stage.</summary>
    public static readonly EventDescription Content = new(showsContent: true);

    private const int MaxLength = 400;

    private EventDescription(bool showsContent) => ShowsContent = showsContent;

    /// <summary>True when the event's content, and exception messages, may be logged.</summary>
    public bool ShowsContent { get; }

    /// <summary>The event for a failure log line.</summary>
    public string Describe(AgentEvent? evt)
    {
        if (evt is null)
        {
            return "(none)";
        }
        if (!ShowsContent)
        {
            return EventShape.Describe(evt);
        }
        try
        {
            var json = AgentEventJson.ToJson(evt);
            return json.Length <= MaxLength ? json : string.Concat(json.AsSpan(0, MaxLength), $"… ({json.Length} chars)");
        }
        catch (Exception ex)
        {
            // The payload itself may be what broke the plugin; describe its shape instead.
            return $"{EventShape.Describe(evt)} (payload not serializable: {ex.GetType().Name})";
        }
    }

    /// <summary>The exception as it may be logged: itself, or its types and stack traces without the messages.</summary>
    public Exception ForLog(Exception ex) => ShowsContent ? ex : new WithheldMessageException(ex);

    /// <summary>One phrase for a summary line: <c>IOException: disk full</c>, or only the type when messages are withheld.</summary>
    public string Reason(Exception ex) => ShowsContent
        ? $"{ex.GetType().Name}: {ex.Message}"
        : $"{ex.GetType().Name} ({WithheldMessageException.Withheld})";
}
