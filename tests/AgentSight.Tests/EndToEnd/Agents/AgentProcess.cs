using System.Diagnostics;
using System.Text;

namespace AgentSight.Tests.Agents;

/// <summary>Runs an <see cref="AgentInvocation"/> with empty stdin and captured output, bounded by a timeout that kills the whole process tree.</summary>
public static class AgentProcess
{
    public static async Task<(int ExitCode, bool TimedOut, string Stdout, string Stderr, TimeSpan Elapsed)> RunAsync(
        AgentInvocation invocation, TimeSpan timeout, CancellationToken cancel = default)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(invocation.ToStartInfo())
            ?? throw new InvalidOperationException($"could not start {invocation.Command[0]}");
        process.StandardInput.Close();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput, stdout), PumpAsync(process.StandardError, stderr));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        limit.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended on its own meanwhile.
            }
            await process.WaitForExitAsync(CancellationToken.None);
        }
        // A grandchild that keeps the pipes open (a daemon, a background shell) must not hold the run up.
        await Task.WhenAny(pumps, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
        lock (stdout)
        {
            lock (stderr)
            {
                return (timedOut ? -1 : process.ExitCode, timedOut, stdout.ToString(), stderr.ToString(), watch.Elapsed);
            }
        }
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, read);
            }
        }
    }
}
