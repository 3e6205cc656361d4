namespace AgentSight.Plugins.Trace;

/// <summary>A successful open of a file: when, and whether it could write.</summary>
internal readonly record struct FileAccess(long TimestampNs, string Path, bool Writes);
