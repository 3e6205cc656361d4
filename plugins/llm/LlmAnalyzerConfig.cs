using AgentSight.Contracts;

namespace AgentSight.Plugins.Llm;

/// <summary>Configuration of the <c>llm</c> analyzer. Every default is valid as is.</summary>
public sealed class LlmAnalyzerConfig : PluginConfig
{
    /// <summary>
    /// Milliseconds an <c>http</c> event of a streamed call waits for its <c>sse</c> event (<c>hold_timeout_ms</c>);
    /// default 60000. After it the call is emitted without the stream (<c>complete: false</c>). Pipeline clock.
    /// </summary>
    public long HoldTimeoutMs { get; set; } = 60_000;

    /// <summary>Most events held at once while waiting for their partner (<c>max_held</c>); default 1024. Beyond it the oldest goes on alone.</summary>
    public int MaxHeld { get; set; } = 1024;

    /// <summary>Include the prompt: <c>gen_ai.system_instructions</c>, <c>gen_ai.input.messages</c> (<c>include_input</c>); default true.</summary>
    public bool IncludeInput { get; set; } = true;

    /// <summary>Include <c>gen_ai.tool.definitions</c> (<c>include_tools</c>); default true.</summary>
    public bool IncludeTools { get; set; } = true;

    /// <summary>Include the answer: <c>gen_ai.output.messages</c> (<c>include_output</c>); default true.</summary>
    public bool IncludeOutput { get; set; } = true;

    /// <summary>
    /// Also pass on the text messages of a model's WebSocket that calls were read from (<c>keep_messages</c>); default
    /// false: the calls hold what they said, as the <c>sse</c> stage drops a stream's pieces once it has read them.
    /// Control frames, binary messages and the messages of other sockets always go on.
    /// </summary>
    public bool KeepMessages { get; set; }

    /// <inheritdoc />
    public override IEnumerable<ConfigError> Validate()
    {
        if (HoldTimeoutMs < 1)
        {
            yield return new ConfigError("hold_timeout_ms", $"must be at least 1 (got {HoldTimeoutMs})");
        }
        if (MaxHeld < 1)
        {
            yield return new ConfigError("max_held", $"must be at least 1 (got {MaxHeld})");
        }
    }
}
