namespace AgentSight.Host.Manifest;

/// <summary>One mistake in a manifest (or in a command-line override of it), located as precisely as possible.</summary>
/// <param name="File">The manifest path as the user gave it.</param>
/// <param name="Position">The 1-based stage position, when the problem is in a stage.</param>
/// <param name="StageId">The stage's id (or plugin name), when known.</param>
/// <param name="Message">What is wrong and what is expected.</param>
internal sealed record ManifestProblem(string File, int? Position, string? StageId, string Message)
{
    public override string ToString() => Position is null
        ? $"{File}: {Message}"
        : $"{File}: stage {Position} (\"{StageId}\"): {Message}";
}
