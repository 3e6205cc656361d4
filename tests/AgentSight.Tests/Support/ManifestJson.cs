using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentSight.Tests.Plugins;

/// <summary>Binds a stage's <c>config</c> object the way the manifest rules say the host does.</summary>
public static class ManifestJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    public static T Bind<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new InvalidOperationException("The config object was null.");
}
