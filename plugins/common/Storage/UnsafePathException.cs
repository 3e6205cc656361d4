namespace AgentSight.Plugins.Common.Storage;

/// <summary>A path refused because another user could have chosen what it leads to (a planted link, a foreign file).</summary>
/// <remarks>An <see cref="IOException"/>, so whatever reports a file that cannot be opened reports this too.</remarks>
public sealed class UnsafePathException(string message) : IOException(message);
