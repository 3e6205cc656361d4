using System.Security.Cryptography;

namespace AgentSight.Tests.Agents;

/// <summary>Random ids in each provider's style.</summary>
internal static class WireIds
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Chars(int count) => RandomNumberGenerator.GetString(Base62, count);

    public static string Hex(int count) => RandomNumberGenerator.GetHexString(count, lowercase: true);

    public static string AnthropicMessage() => "msg_01" + Chars(22);

    public static string AnthropicToolUse() => "toolu_01" + Chars(22);

    public static string AnthropicRequest() => "req_011C" + Chars(20);

    public static string ResponsesResponse() => "resp_" + Hex(48);

    public static string ResponsesItem(string prefix) => prefix + "_" + Hex(48);

    public static string OpenAiCall() => "call_" + Chars(24);

    public static string ChatCompletion() => "chatcmpl-" + Chars(29);

    public static string GeminiResponse() => Chars(22);
}
