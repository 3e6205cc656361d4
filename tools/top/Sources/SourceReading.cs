using AgentSight.Top.Model;

namespace AgentSight.Top.Sources;

/// <summary>One attempt to read the recording: a snapshot, or why there is none this time.</summary>
/// <param name="Snapshot">The figures, or null when the read failed.</param>
/// <param name="Problem">Why the read failed (connection refused, the token refused, …); null on success.</param>
/// <param name="At">When the attempt was made.</param>
public sealed record SourceReading(SessionSnapshot? Snapshot, string? Problem, DateTimeOffset At);
