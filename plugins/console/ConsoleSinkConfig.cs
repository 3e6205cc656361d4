using AgentSight.Contracts;

namespace AgentSight.Plugins.Console;

/// <summary>Configuration of the <c>console</c> sink.</summary>
public sealed class ConsoleSinkConfig : PluginConfig
{
    /// <summary>The smallest accepted <see cref="MaxPreview"/>: below it a preview says too little to be worth a line.</summary>
    public const int MinPreview = 16;

    /// <summary>Line format (<c>format</c>): <c>json</c> (the default) or <c>pretty</c>.</summary>
    public ConsoleFormat Format { get; set; } = ConsoleFormat.Json;

    /// <summary>Where the lines go (<c>stream</c>): <c>stdout</c> (the default) or <c>stderr</c>.</summary>
    public ConsoleOutputStream Stream { get; set; } = ConsoleOutputStream.Stdout;

    /// <summary>
    /// With <c>pretty</c>, the most characters of payload preview on a line (<c>max_preview</c>); default 160, at
    /// least <see cref="MinPreview"/>. Ignored with <c>json</c>, which always writes the whole event.
    /// </summary>
    public int MaxPreview { get; set; } = 160;

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (!Enum.IsDefined(Format))
        {
            yield return new ConfigError("format", $"must be json or pretty (got {(int)Format})");
        }
        if (!Enum.IsDefined(Stream))
        {
            yield return new ConfigError("stream", $"must be stdout or stderr (got {(int)Stream})");
        }
        if (MaxPreview < MinPreview)
        {
            yield return new ConfigError("max_preview", $"must be at least {MinPreview} characters (got {MaxPreview})");
        }
    }
}
