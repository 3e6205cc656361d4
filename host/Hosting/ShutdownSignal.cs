using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Hosting;

/// <summary>SIGINT and SIGTERM: the first asks for a graceful stop (drain everything), the second quits at once.</summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly ILogger _log;
    private int _signals;

    public ShutdownSignal(ILogger log)
    {
        _log = log;
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
