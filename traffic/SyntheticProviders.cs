using System.Diagnostics.CodeAnalysis;

namespace AgentSight.Traffic;

/// <summary>The command-line names of <see cref="SyntheticProvider"/>.</summary>
internal static class SyntheticProviders
{
    /// <summary>The names, in the order the help should list them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mixed", "anthropic", "openai", "openai-responses", "gemini"];

    /// <summary>The four concrete providers.</summary>
    public static IReadOnlyList<SyntheticProvider> Concrete { get; } =
        [SyntheticProvider.Anthropic, SyntheticProvider.OpenAi, SyntheticProvider.OpenAiResponses, SyntheticProvider.Gemini];

    public static string Name(SyntheticProvider provider) => provider switch
    {
        SyntheticProvider.Anthropic => "anthropic",
        SyntheticProvider.OpenAi => "openai",
        SyntheticProvider.OpenAiResponses => "openai-responses",
        SyntheticProvider.Gemini => "gemini",
        _ => "mixed",
    };

    /// <summary>Parses a command-line name (case-insensitive).</summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out SyntheticProvider? provider)
    {
        provider = name?.Trim().ToLowerInvariant() switch
        {
            "mixed" => SyntheticProvider.Mixed,
            "anthropic" => SyntheticProvider.Anthropic,
            "openai" => SyntheticProvider.OpenAi,
            "openai-responses" => SyntheticProvider.OpenAiResponses,
            "gemini" => SyntheticProvider.Gemini,
            _ => null,
        };
        return provider is not null;
    }
}
