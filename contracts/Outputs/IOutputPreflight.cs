namespace AgentSight.Contracts;

/// <summary>
/// A sink that writes to a file the user names (contracts 1.4): implemented by its factory, asked before any sink of
/// the run opens anything, so that one rule decides what happens to outputs that already hold a session (every sink
/// adds a new run to what is there, or none starts): docs/MANIFEST.md, "Existing outputs".
/// </summary>
public interface IOutputPreflight
{
    /// <summary>
    /// What the sink configured by <paramref name="config"/> (validated, of the factory's config type) would find at its
    /// output, and what it would do with it; null when this configuration writes no file. Look, never touch.
    /// </summary>
    OutputCheck? CheckOutput(PluginConfig config);
}
