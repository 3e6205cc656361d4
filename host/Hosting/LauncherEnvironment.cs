namespace AgentSight.Host.Hosting;

/// <summary>
/// Variables <c>./agentsight</c> sets for the host alone (its runtime's settings, its start time), named in
/// <c>AGENTSIGHT_LAUNCHER_ENV</c>: they are taken out of the environment a recorded command starts with, so that the
/// command runs as it would without the recorder. A variable the user had set is not named there, and stays.
/// </summary>
internal static class LauncherEnvironment
{
    public const string Variable = "AGENTSIGHT_LAUNCHER_ENV";

    public static void RemoveFrom(IDictionary<string, string> environment)
    {
        if (!environment.Remove(Variable, out var names))
        {
            return;
        }
        foreach (var name in names.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            environment.Remove(name);
        }
    }
}
