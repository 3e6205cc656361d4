using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Pipeline;

namespace AgentSight.Host.Manifest;

/// <summary>One stage as written in the manifest (after command-line overrides), before it is resolved.</summary>
internal sealed class StageSpec
{
    /// <summary>1-based position in the manifest's <c>stages</c> list.</summary>
    public required int Position { get; init; }

    /// <summary>Unique id (<c>id</c>, defaulting to the plugin name).</summary>
    public required string Id { get; init; }

    /// <summary>The plugin's name (its folder name in the plugins directory).</summary>
    public required string Plugin { get; init; }

    public bool Enabled { get; set; } = true;

    /// <summary>The plugin's own settings (<c>config</c>); null means every default.</summary>
    public JsonObject? Config { get; set; }

    public int? QueueCapacity { get; init; }

    public Backpressure? Backpressure { get; init; }

    public int? MaxFailures { get; init; }

    public OnError? OnError { get; init; }

    /// <summary>The SHA-256 the plugin's main assembly must have (<c>sha256</c>), lowercase hex; null for no pin.</summary>
    public string? Sha256 { get; init; }
}
