using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Hosting;

/// <summary>SIGINT and SIGTERM: the first asks for a graceful stop (drain everything), the second quits at once.</summary>
/// <remarks>
/// When the host runs a command in the foreground (<c>record -- CMD</c>), Ctrl+C belongs to that command: the terminal
/// sends SIGINT to the whole process group, and an interactive agent decides what it means (Claude Code asks for a
/// second press). The host then ignores SIGINT and ends when the command ends; SIGTERM still stops it.
/// </remarks>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly ILogger _log;
    private readonly bool _childOwnsInterrupt;
    private int _signals;

    public ShutdownSignal(ILogger log, bool childOwnsInterrupt = false)
    {
        _log = log;
        _childOwnsInterrupt = childOwnsInterrupt;
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
    }

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => _stop.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the process alive: shutdown is ours to finish.
        context.Cancel = true;
        if (_childOwnsInterrupt && context.Signal == PosixSignal.SIGINT)
        {
            _log.LogDebug("SIGINT left to the recorded command: the recording ends when the command does");
            return;
        }
        if (Interlocked.Increment(ref _signals) == 1)
        {
            _log.LogWarning("{Signal} received: stopping the sources and draining every event already accepted (send it again to quit at once)",
                context.Signal);
            _stop.Cancel();
            return;
        }
        _log.LogError("{Signal} received again: quitting without draining; events still in the pipeline are lost", context.Signal);
        Environment.Exit(ExitCodes.Interrupted);
    }
}
