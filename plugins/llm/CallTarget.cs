using AgentSight.Plugins.Llm.Apis;

namespace AgentSight.Plugins.Llm;

/// <summary>
/// What kind of call an exchange is: its wire format (<see cref="IModelApi"/>, found by <see cref="ModelApis.Detect"/>),
/// the provider and the operation; and how hosts and paths read.
/// </summary>
internal sealed record CallTarget(IModelApi Api, string Provider, string Operation)
{
    /// <summary>The path without its query.</summary>
    public static string PathOf(string target)
    {
        var query = target.IndexOf('?', StringComparison.Ordinal);
        var path = query >= 0 ? target[..query] : target;
        // An absolute-form target (through a proxy) starts with the scheme and authority.
        if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var slash = path.IndexOf('/', path.IndexOf("//", StringComparison.Ordinal) + 2);
            path = slash >= 0 ? path[slash..] : "/";
        }
        return path;
    }

    /// <summary>The host without its port, lowercased.</summary>
    public static string HostName(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return "";
        }
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            return (close > 0 ? host[1..close] : host).ToLowerInvariant();
        }
        var colon = host.LastIndexOf(':');
        return (colon > 0 ? host[..colon] : host).ToLowerInvariant();
    }

    /// <summary>The port written in the host header, or null.</summary>
    public static int? Port(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return null;
        }
        var colon = host.LastIndexOf(':');
        var close = host.LastIndexOf(']');
        return colon > close && int.TryParse(host.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    /// <summary>The provider of an OpenAI-style API by its host name (<paramref name="raw"/>: the host header, for its port).</summary>
    public static string OpenAiCompatible(string host, string? raw) => host switch
    {
        "api.openai.com" or "chatgpt.com" => "openai",
        _ when host.EndsWith(".openai.azure.com", StringComparison.Ordinal) => "azure.ai.openai",
        _ when host.EndsWith(".services.ai.azure.com", StringComparison.Ordinal) => "azure.ai.inference",
        "openrouter.ai" => "openrouter",
        "api.deepseek.com" => "deepseek",
        "api.groq.com" => "groq",
        "api.mistral.ai" => "mistral_ai",
        "api.x.ai" => "x_ai",
        "api.perplexity.ai" => "perplexity",
        "api.moonshot.ai" or "api.moonshot.cn" => "moonshot_ai",
        "generativelanguage.googleapis.com" => "gcp.gemini",
        _ when Port(raw) == 11434 => "ollama",
        _ => "openai_compatible",
    };
}
