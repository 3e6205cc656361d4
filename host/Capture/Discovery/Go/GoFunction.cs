namespace AgentSight.Host.Capture.Discovery.Go;

/// <summary>
/// A Go function: its name as the toolchain spells it, its first instruction, and where the next function starts
/// (<see cref="End"/> is exclusive and includes the int3 padding after the function's last instruction).
/// </summary>
internal sealed record GoFunction(string Name, ulong Entry, ulong End);
