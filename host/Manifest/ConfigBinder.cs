using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using AgentSight.Contracts;

namespace AgentSight.Host.Manifest;

/// <summary>Binds a stage's <c>config</c> section to the plugin's configuration class, then validates it.</summary>
/// <remarks>
/// Keys are snake_case property names; an unknown key, a value of the wrong type and every problem the plugin's
/// <see cref="PluginConfig.Validate"/> reports become one message each, naming the key.
/// </remarks>
internal static class ConfigBinder
{
    /// <summary>Options for every plugin configuration: snake_case keys, strict types, unknown keys refused.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        RespectNullableAnnotations = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        Converters = { new LenientEnumConverterFactory() },
        WriteIndented = true,
    };

    /// <summary>The configuration keys a configuration class accepts.</summary>
    public static IReadOnlyList<string> KnownKeys(Type configType) =>
        [.. Options.GetTypeInfo(configType).Properties.Where(p => p.Set is not null).Select(p => p.Name)];

    /// <summary>The configuration as the manifest would spell it (for <c>plugins list --json</c> and docs).</summary>
    public static JsonNode? ToJson(PluginConfig config) => JsonSerializer.SerializeToNode(config, config.GetType(), Options);

    /// <summary>Binds and validates; reports problems through <paramref name="problem"/> and returns null when any.</summary>
    public static PluginConfig? Bind(IPluginFactory factory, JsonObject? section, Action<string> problem)
    {
        var configType = factory.ConfigType;
        var count = 0;
        void Count(string message)
        {
            count++;
            problem(message);
        }

        PluginConfig? config;
        // An empty section means the defaults, as an absent one: no serializer metadata is built for the class (for
        // seven of the default manifest's stages, that is most of the reflection code a start would compile).
        if (section is null || section.Count == 0)
        {
            config = factory.CreateDefaultConfig();
        }
        else
        {
            var known = KnownKeys(configType);
            foreach (var (key, _) in section)
            {
                if (!known.Contains(key))
                {
                    Count(known.Count == 0
                        ? $"config: unknown key \"{key}\" (this plugin takes no configuration)"
                        : $"config: unknown key \"{key}\" (known: {string.Join(", ", known)}){Suggest.DidYouMean(key, known)}");
                }
            }
            if (count > 0)
            {
                return null;
            }
            try
            {
                config = (PluginConfig?)section.Deserialize(configType, Options) ?? factory.CreateDefaultConfig();
            }
            catch (JsonException ex)
            {
                Count(DescribeBindError(configType, section, ex));
                return null;
            }
            catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or ArgumentException)
            {
                Count($"config: cannot be read: {ex.Message}");
                return null;
            }
        }

        try
        {
            foreach (var error in config.Validate())
            {
                Count(string.IsNullOrEmpty(error.Key) ? $"config: {error.Message}" : $"config.{error.Key}: {error.Message}");
            }
        }
        catch (Exception ex)
        {
            Count($"config: the plugin's validation failed: {ex.Message}");
        }
        return count > 0 ? null : config;
    }

    private static string DescribeBindError(Type configType, JsonObject section, JsonException ex)
    {
        var path = ex.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : null;
        if (path is null)
        {
            return $"config: {ex.Message}";
        }
        var topKey = path.Split('.', '[')[0];
        var property = Options.GetTypeInfo(configType).Properties.FirstOrDefault(x => x.Name == topKey);
        var given = section[topKey]?.ToJsonString() ?? "null";
        if (property is null || path != topKey)
        {
            return $"config.{path}: {FirstSentence(ex.Message)}";
        }
        return $"config.{path}: expected {Describe(property.PropertyType)} (got {given})";
    }

    private static string Describe(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying.IsEnum)
        {
            return "one of " + string.Join(", ", LenientEnumConverterFactory.SnakeNames(underlying).Select(n => $"\"{n}\""));
        }
        return Type.GetTypeCode(underlying) switch
        {
            TypeCode.Boolean => "true or false",
            TypeCode.String => "a string",
            TypeCode.Byte or TypeCode.Int16 or TypeCode.Int32 or TypeCode.Int64 or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64
                => "a whole number",
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number",
            _ when underlying != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(underlying) => "a list",
            _ => "an object",
        };
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut >= 0 ? message[..cut] : message;
    }
}
