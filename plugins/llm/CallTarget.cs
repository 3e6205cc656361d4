using System.Text.Json.Nodes;

namespace AgentSight.Plugins.Llm;

/// <summary>What kind of call an exchange is: its wire format, the provider and the operation.</summary>
internal sealed record CallTarget(ApiKind Api, string Provider, string Operation)
{
    /// <summary>
    /// Recognises a call to a model from the request's host, path and body. A path alone is not enough where it is
    /// generic (<c>/messages</c>, <c>/responses</c>): the body must have the API's shape too.
    /// </summary>
    public static CallTarget? Detect(string? method, string? host, string? target, JsonNode? body)
    {
        if (method != "POST" || string.IsNullOrEmpty(target))
        {
            return null;
        }
        var path = PathOf(target);
        var h = HostName(host);
        if (path.EndsWith(":generateContent", StringComparison.Ordinal) || path.EndsWith(":streamGenerateContent", StringComparison.Ordinal))
        {
            if (body is null || (body is JsonObject gemini && (gemini.ContainsKey("contents") || Json.Obj(gemini, "request")?.ContainsKey("contents") == true)))
            {
                var provider = h.EndsWith("aiplatform.googleapis.com", StringComparison.Ordinal) ? "gcp.vertex_ai"
                    : h == "generativelanguage.googleapis.com" ? "gcp.gemini"
                    : "gcp.gen_ai";
                return new CallTarget(ApiKind.Gemini, provider, "generate_content");
            }
            return null;
        }
        if (path.EndsWith(":rawPredict", StringComparison.Ordinal) || path.EndsWith(":streamRawPredict", StringComparison.Ordinal))
        {
            return path.Contains("/publishers/anthropic/", StringComparison.Ordinal) && body is JsonObject { } vertex && vertex.ContainsKey("messages")
                ? new CallTarget(ApiKind.AnthropicMessages, "gcp.vertex_ai", "chat")
                : null;
        }
        if (body is not JsonObject request)
        {
            // The body could not be read (cut at the cap, an unknown compression): only unmistakable paths count.
            return body is null ? ByPathOnly(path, h, host) : null;
        }
        if (path.EndsWith("/v1/messages", StringComparison.Ordinal) || (path.EndsWith("/messages", StringComparison.Ordinal)
            && request.ContainsKey("max_tokens")))
        {
            return request.ContainsKey("messages") && request.ContainsKey("model")
                ? new CallTarget(ApiKind.AnthropicMessages, h.EndsWith("amazonaws.com", StringComparison.Ordinal) ? "aws.bedrock" : "anthropic", "chat")
                : null;
        }
        if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            return request.ContainsKey("messages") ? new CallTarget(ApiKind.OpenAiChat, OpenAiCompatible(h, host), "chat") : null;
        }
        if (path.EndsWith("/responses", StringComparison.Ordinal))
        {
            return request.ContainsKey("input") || request.ContainsKey("model") && request.ContainsKey("instructions")
                ? new CallTarget(ApiKind.OpenAiResponses, OpenAiCompatible(h, host), "chat")
                : null;
        }
        if (path.EndsWith("/api/chat", StringComparison.Ordinal) && request.ContainsKey("messages") && request.ContainsKey("model"))
        {
            return new CallTarget(ApiKind.OllamaChat, "ollama", "chat");
        }
        if (path.EndsWith("/api/generate", StringComparison.Ordinal) && request.ContainsKey("prompt") && request.ContainsKey("model"))
        {
            return new CallTarget(ApiKind.OllamaGenerate, "ollama", "text_completion");
        }
        return null;
    }

    private static CallTarget? ByPathOnly(string path, string host, string? raw)
    {
        if (path.EndsWith("/v1/messages", StringComparison.Ordinal))
        {
            return new CallTarget(ApiKind.AnthropicMessages, "anthropic", "chat");
        }
        if (path.EndsWith("/v1/chat/completions", StringComparison.Ordinal) || path.EndsWith("/openai/chat/completions", StringComparison.Ordinal))
        {
            return new CallTarget(ApiKind.OpenAiChat, OpenAiCompatible(host, raw), "chat");
        }
        if (path.EndsWith("/v1/responses", StringComparison.Ordinal) || path.EndsWith("/codex/responses", StringComparison.Ordinal))
        {
            return new CallTarget(ApiKind.OpenAiResponses, OpenAiCompatible(host, raw), "chat");
        }
        return path.EndsWith("/api/chat", StringComparison.Ordinal) && Port(raw) == 11434 ? new CallTarget(ApiKind.OllamaChat, "ollama", "chat") : null;
    }

    /// <summary>True when the request target may be a call to a model, so its body is worth parsing.</summary>
    public static bool IsCandidate(string? method, string? target)
    {
        if (method != "POST" || string.IsNullOrEmpty(target))
        {
            return false;
        }
        var path = PathOf(target);
        return path.EndsWith("/messages", StringComparison.Ordinal) || path.EndsWith("/chat/completions", StringComparison.Ordinal)
            || path.EndsWith("/responses", StringComparison.Ordinal) || path.EndsWith("Content", StringComparison.Ordinal)
            || path.EndsWith("Predict", StringComparison.Ordinal) || path.EndsWith("/api/chat", StringComparison.Ordinal)
            || path.EndsWith("/api/generate", StringComparison.Ordinal);
    }

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
