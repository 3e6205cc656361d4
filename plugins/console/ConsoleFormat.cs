namespace AgentSight.Plugins.Console;

/// <summary>How the console sink writes each event (manifest key <c>format</c>).</summary>
public enum ConsoleFormat
{
    /// <summary>One JSON object per line, exactly as the file sink writes it (<c>json</c>).</summary>
    Json,

    /// <summary>One short human-readable line per event (<c>pretty</c>).</summary>
    Pretty,
}
