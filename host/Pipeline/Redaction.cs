using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>Which stage is the pipeline's redaction, for what the host may log of the events after it.</summary>
internal static class Redaction
{
    /// <summary>The built-in redaction plugin (docs/REDACTION.md); <c>plugins install</c> puts new analyzers before it.</summary>
    public const string Plugin = "redact";

    /// <summary>
    /// True when every event that gets past <paramref name="stage"/> went through redaction: the <c>redact</c> plugin,
    /// failing closed (<c>on_error: drop</c>), so that neither an event it failed on nor, once it is taken out, any
    /// later event goes around it.
    /// </summary>
    public static bool Redacts(StagePlan stage) =>
        string.Equals(stage.Plugin, Plugin, StringComparison.OrdinalIgnoreCase) && stage.Settings.OnError == OnError.Drop;
}
