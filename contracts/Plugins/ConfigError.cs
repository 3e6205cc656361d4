namespace AgentSight.Contracts;

/// <summary>One problem with a configuration value.</summary>
/// <param name="Key">The key as written in the manifest, e.g. <c>max_size_mb</c> (empty for the whole section).</param>
/// <param name="Message">What is wrong and what is expected, e.g. "must be at least 1 (got 0)".</param>
public sealed record ConfigError(string Key, string Message);
