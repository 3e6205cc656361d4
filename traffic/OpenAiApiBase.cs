namespace AgentSight.Traffic;

/// <summary>What the two OpenAI APIs share: host, credentials and headers.</summary>
internal abstract class OpenAiApiBase : LlmApi
{
    public override string Host => "api.openai.com";

    // Real project keys: sk-proj- + 74 + "T3BlbkFJ" (base64 of "OpenAI") + 74 characters, which scanners look for.
    public override string NewApiKey(SyntheticRandom random) =>
        "sk-proj-FAKE" + random.Chars(70, Base64Url) + "T3BlbkFJ" + random.Chars(74, Base64Url);

    public override string? NewToolCallId(SyntheticRandom random) => "call_" + random.Chars(24, Base62);

    public override string NewRequestId(SyntheticRandom random) => "req_" + random.Chars(32, Hex);

    public override IEnumerable<(string Name, string Value)> RequestHeaders(ClientKind client, string apiKey)
    {
        var python = client == ClientKind.Python;
        yield return (Spell(client, "Accept-Encoding"), python ? "gzip, deflate" : "gzip, deflate, br, zstd");
        yield return (Spell(client, "Connection"), "keep-alive");
        yield return (Spell(client, "Accept"), "application/json");
        yield return (Spell(client, "Content-Type"), "application/json");
        yield return (Spell(client, "User-Agent"), python ? "OpenAI/Python 1.109.1" : "OpenAI/JS 5.23.0");
        yield return (Spell(client, "X-Stainless-Lang"), python ? "python" : "js");
        yield return (Spell(client, "X-Stainless-Package-Version"), python ? "1.109.1" : "5.23.0");
        yield return (Spell(client, "X-Stainless-OS"), "Linux");
        yield return (Spell(client, "X-Stainless-Arch"), "x64");
        yield return (Spell(client, "X-Stainless-Runtime"), python ? "CPython" : "node");
        yield return (Spell(client, "X-Stainless-Runtime-Version"), python ? "3.12.3" : "v22.19.0");
        yield return (Spell(client, "Authorization"), "Bearer " + apiKey);
        yield return ("x-stainless-retry-count", "0");
        yield return ("x-stainless-read-timeout", "600");
    }

    public override IEnumerable<(string Name, string Value)> ResponseHeaders(bool stream, string requestId, DateTimeOffset date, SyntheticRandom random)
    {
        var processing = random.Next(180, 900);
        yield return ("Date", date.ToString("R"));
        yield return ("Content-Type", stream ? "text/event-stream; charset=utf-8" : "application/json");
        yield return ("Connection", "keep-alive");
        yield return ("access-control-expose-headers", "X-Request-ID");
        yield return ("openai-organization", "user-fakeorg000000000000000");
        yield return ("openai-processing-ms", Number(processing));
        yield return ("openai-project", "proj_FAKE" + random.Chars(20, Base62));
        yield return ("openai-version", "2020-10-01");
        yield return ("x-envoy-upstream-service-time", Number(processing + random.Next(2, 30)));
        yield return ("x-ratelimit-limit-requests", "5000");
        yield return ("x-ratelimit-remaining-requests", Number(random.Next(4900, 5000)));
        yield return ("x-request-id", requestId);
        yield return ("strict-transport-security", "max-age=31536000; includeSubDomains; preload");
        yield return ("cf-cache-status", "DYNAMIC");
        yield return ("X-Content-Type-Options", "nosniff");
        yield return ("Server", "cloudflare");
        yield return ("CF-RAY", CfRay(random));
        yield return ("alt-svc", "h3=\":443\"; ma=86400");
    }

    /// <summary>Random padding the API adds to stream events so their sizes leak nothing; clients ignore it.</summary>
    protected static string Obfuscation(SyntheticRandom random) => random.Chars(random.Next(2, 14), Base62);
}
