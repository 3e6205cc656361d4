using System.Diagnostics;

namespace AgentSight.Tests.Agents;

/// <summary>
/// How to run one agent prompt: the command line, the COMPLETE environment (start the process with a cleared
/// environment and exactly these variables), and the working directory. Standard input must be empty
/// (<c>/dev/null</c> or a closed pipe): Codex reads a prompt from it otherwise.
/// </summary>
/// <param name="Command">The program (an absolute path) and its arguments.</param>
/// <param name="Home">The throw-away <c>HOME</c> of this run (also in <see cref="Environment"/>).</param>
public sealed record AgentInvocation(string[] Command, IDictionary<string, string> Environment, string WorkingDirectory, string Home)
{
    /// <summary>The same run behind a launcher, e.g. <c>Under(dotnet, agentsight.dll, "record", "-o", FILE, "--")</c>: the launcher gets this environment and working directory, and passes them on to the agent.</summary>
    public AgentInvocation Under(params string[] launcher) => this with { Command = [.. launcher, .. Command] };

    public void Deconstruct(out string[] command, out IDictionary<string, string> environment, out string workingDirectory)
    {
        command = Command;
        environment = Environment;
        workingDirectory = WorkingDirectory;
    }

    /// <summary>A start info with the command, the cleared-then-set environment, the working directory and every stream redirected.</summary>
    public ProcessStartInfo ToStartInfo()
    {
        var start = new ProcessStartInfo(Command[0])
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Clear();
        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }
        return start;
    }

    /// <summary>The invocation as one shell line (env assignments, then the quoted command), for logs and for reproducing a run by hand.</summary>
    public string ToShellLine() =>
        $"cd {Quote(WorkingDirectory)} && env -i {string.Join(' ', Environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => Quote($"{e.Key}={e.Value}")))} "
        + $"{string.Join(' ', Command.Select(Quote))} </dev/null";

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=:,+@%".Contains(c)) ? value : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
