namespace AgentSight.Tests.Agents;

/// <summary>The outcome of one agent run.</summary>
/// <param name="ExitCode">The agent's exit code (-1 when it was killed on timeout).</param>
/// <param name="TimedOut">Whether the run was killed (with its whole process tree) on timeout.</param>
public sealed record AgentRun(RealAgent Agent, AgentInvocation Invocation, int ExitCode, bool TimedOut, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"{Agent}: exit {ExitCode}{(TimedOut ? " (timed out)" : "")} after {Elapsed.TotalSeconds:F1} s\n--- stdout ---\n{Tail(StandardOutput)}\n--- stderr ---\n{Tail(StandardError)}";

    private static string Tail(string text, int max = 6000) => text.Length <= max ? text : "…" + text[^max..];
}
