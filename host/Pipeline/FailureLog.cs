namespace AgentSight.Host.Pipeline;

/// <summary>Decides which failures of a stage are logged in full, so a plugin failing on every event cannot flood the log.</summary>
internal struct FailureLog
{
    private const int LoggedInFull = 10;
    private const int ThenEvery = 100;

    /// <summary>True for the first failures, then one in every hundred.</summary>
    public static bool ShouldLog(long failureNumber) =>
        failureNumber <= LoggedInFull || failureNumber % ThenEvery == 0;
}
