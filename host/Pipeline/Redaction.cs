using AgentSight.Contracts;

namespace AgentSight.Host.Pipeline;

/// <summary>Which stage is the pipeline's redaction, for what the host may log of the events after it.</summary>
internal static class Redaction
{
    /// <summary>
    /// True when every event that gets past <paramref name="stage"/> went through redaction: a plugin that declares
    /// the <see cref="StageRoles.Redaction"/> role, failing closed (<c>on_error: drop</c>), so that neither an event it
    /// failed on nor, once it is taken out, any later event goes around it.
    /// </summary>
    public static bool Redacts(StagePlan stage) =>
        stage.Factory.Roles.Contains(StageRoles.Redaction) && stage.Settings.OnError == OnError.Drop;
}
