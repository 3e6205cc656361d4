using AgentSight.Host.Manifest;

namespace AgentSight.Host.Cli;

/// <summary>Prints manifest problems on stderr: one line each, nothing else, so they can be read and grepped.</summary>
internal static class ProblemReport
{
    public static void Print(IReadOnlyList<ManifestProblem> problems, TextWriter? writer = null)
    {
        writer ??= Console.Error;
        writer.WriteLine(problems.Count == 1
            ? "agentsight: cannot start, the pipeline has a problem (nothing was started):"
            : $"agentsight: cannot start, the pipeline has {problems.Count} problems (nothing was started):");
        foreach (var problem in problems)
        {
            writer.WriteLine($"  {problem}");
        }
    }
}
