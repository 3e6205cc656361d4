namespace AgentSight.Host.Capture;

/// <summary>The host's threads and their nice values (<see cref="ProcThreadNice"/>; a fake in tests).</summary>
internal interface IThreadNice
{
    /// <summary>The process's nice value now (its main thread's).</summary>
    int ProcessNice();

    /// <summary>Whether a thread lowered can be raised back to <see cref="ProcessNice"/> (CAP_SYS_NICE).</summary>
    bool CanRaise { get; }

    /// <summary>Every thread of the process: its id and its name.</summary>
    IEnumerable<(int Tid, string Name)> Threads();

    /// <summary>Sets one thread's nice value; false when it has ended (or the kernel refused).</summary>
    bool TrySet(int tid, int nice);
}
