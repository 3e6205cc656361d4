using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>A short, safe description of an event for failure logs.</summary>
internal static class EventDescription
{
    private const int MaxLength = 400;

    public static string Describe(AgentEvent? evt)
    {
        if (evt is null)
        {
            return "(none)";
        }
        try
        {
            var json = AgentEventJson.ToJson(evt);
            return json.Length <= MaxLength ? json : string.Concat(json.AsSpan(0, MaxLength), $"… ({json.Length} chars)");
        }
        catch (Exception ex)
        {
            // The payload itself may be what broke the plugin; describe the envelope instead.
            return $"{evt} (payload not serializable: {ex.GetType().Name})";
        }
    }
}
