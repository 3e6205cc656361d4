using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentSight.Host.Manifest;

/// <summary>
/// Reads enum values written in snake_case, kebab-case or PascalCase (<c>every_event</c>, <c>every-event</c>,
/// <c>EveryEvent</c>); writes snake_case. Numbers are refused, so a typo cannot silently pick a value.
/// </summary>
internal sealed class LenientEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(LenientEnumConverter<>).MakeGenericType(typeToConvert))!;

    /// <summary>The snake_case names of an enum's values, as the manifest spells them.</summary>
    public static IEnumerable<string> SnakeNames(Type enumType) =>
        Enum.GetNames(enumType).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n));

    private sealed class LenientEnumConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                var wanted = Normalize(reader.GetString()!);
                foreach (var name in Enum.GetNames<T>())
                {
                    if (Normalize(name) == wanted)
                    {
                        return Enum.Parse<T>(name);
                    }
                }
            }
            throw new JsonException();
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString()));

        private static string Normalize(string name) =>
            name.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
    }
}
