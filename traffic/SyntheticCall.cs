namespace AgentSight.Traffic;

/// <summary>
/// What one generated LLM call was, for tests to compare with what analyzers reconstruct from the bytes.
/// </summary>
internal sealed class SyntheticCall
{
    /// <summary>0-based, in the order the requests were written.</summary>
    public required int Index { get; init; }

    public required SyntheticProvider Provider { get; init; }

    /// <summary>The <see cref="ScenarioLibrary"/> task (or <c>title</c> for a side call).</summary>
    public required string Scenario { get; init; }

    public required ClientKind Client { get; init; }

    public required string Comm { get; init; }

    public required int Pid { get; init; }

    public required int Tid { get; init; }

    /// <summary>The TLS connection the call went over (<see cref="AgentSight.Contracts.TlsPayload.ConnectionId"/>).</summary>
    public required ulong ConnectionId { get; init; }

    /// <summary>True when the connection was opened (with a handshake event) for this call; false on keep-alive reuse.</summary>
    public required bool NewConnection { get; init; }

    public required string Host { get; init; }

    /// <summary>The request target, query included.</summary>
    public required string Path { get; init; }

    /// <summary>The model the request asked for.</summary>
    public required string Model { get; init; }

    /// <summary>The model the response reported.</summary>
    public required string ResponseModel { get; init; }

    public required bool Stream { get; init; }

    /// <summary>The fake credential the request carried.</summary>
    public required string ApiKey { get; init; }

    /// <summary>The request's JSON body.</summary>
    public required string RequestBody { get; init; }

    /// <summary>The answer's text, all text deltas concatenated (empty when the model only called a tool).</summary>
    public required string AnswerText { get; init; }

    /// <summary>The tool calls of the answer (none or one).</summary>
    public required IReadOnlyList<SyntheticToolCall> ToolCalls { get; init; }

    /// <summary>The raw stop or finish reason sent.</summary>
    public required string FinishReason { get; init; }

    public required string ResponseId { get; init; }

    /// <summary>The response's request-id header value (Gemini sends none; then a generated value not on the wire).</summary>
    public required string RequestId { get; init; }

    public required TokenUsage Usage { get; init; }

    /// <summary>When the first byte of the request was written (epoch ns).</summary>
    public required long RequestTimestamp { get; init; }

    /// <summary>When the first read of the response returned (epoch ns).</summary>
    public required long FirstResponseTimestamp { get; init; }

    /// <summary>When the last read of the response returned (epoch ns).</summary>
    public required long LastResponseTimestamp { get; init; }

    /// <summary>The HTTP status; every synthetic call succeeds.</summary>
    public int StatusCode { get; init; } = 200;

    public override string ToString() =>
        $"#{Index} {SyntheticProviders.Name(Provider)} {Model} {(Stream ? "stream" : "json")} {Comm}({Pid}/{Tid}) conn 0x{ConnectionId:x} {Scenario}";
}
