using System.Runtime.CompilerServices;

namespace AgentSight.Tests.Support;

/// <summary>Gives the test run's thread pool enough threads to start with.</summary>
/// <remarks>
/// Some tests hang a plugin on purpose, which blocks a pool thread until the test ends, while other test classes
/// run in parallel. On two cores the pool starts with two threads and adds one about every half second when starved,
/// so a sink's delivery could wait longer than the 500 ms shutdown bound those tests check (seen once in a clean-clone
/// run: ShutdownBoundTests counted three events still queued). The host never blocks pool threads like this.
/// </remarks>
internal static class ThreadPoolFloor
{
    [ModuleInitializer]
    internal static void Raise()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), completionPorts);
    }
}
