namespace AgentSight.Tests.Agents;

/// <summary>The real coding agents the tests can run.</summary>
public enum AgentKind
{
    /// <summary>Claude Code (<c>@anthropic-ai/claude-code</c>): Anthropic Messages.</summary>
    ClaudeCode,

    /// <summary>Codex (<c>@openai/codex</c>): OpenAI Responses.</summary>
    Codex,

    /// <summary>GitHub Copilot CLI (<c>@github/copilot</c>) with a custom provider: OpenAI Chat Completions.</summary>
    Copilot,

    /// <summary>Gemini CLI (<c>@google/gemini-cli</c>) with an API key: Gemini.</summary>
    Gemini,
}
