namespace AgentSight.Top.View;

/// <summary>What the header says about the source: the mode, what is watched, and how the connection is.</summary>
/// <param name="Mode">"attached" or "own capture".</param>
/// <param name="Watching">What is watched: the recording's address, or what the own capture traces and where it writes.</param>
/// <param name="Status">The line under it: live, connection lost (why, since when), ended.</param>
/// <param name="Problem">True when <paramref name="Status"/> reports a problem (shown in red when colours are on).</param>
public sealed record TopHeader(string Mode, string Watching, string Status, bool Problem);
