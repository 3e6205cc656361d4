using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Plugins.Common.Model;

namespace AgentSight.Plugins.Web.Session;

// The JSON the API returns (snake_case on the wire). Times are Unix epoch nanoseconds, durations milliseconds.

internal sealed record SessionInfo(long? StartNs, long? EndNs, double? DurationMs, long Events, long LastSeq, long Evicted,
    IReadOnlyDictionary<string, long> Sources, IReadOnlyDictionary<string, long> Comms, bool Recorded);

internal sealed record EventRow(long Seq, long Timestamp, string Source, int Pid, int Tid, string Comm, int ProcessId, string Summary, long ReceivedAtMs);

internal sealed record EventPage(IReadOnlyList<EventRow> Items, long Total, long? NextBefore);

internal sealed record EventDetail(EventRow Event, JsonElement Json);

internal sealed record LlmCallRow(int Id, long EventSeq, long StartNs, long EndNs, long Timestamp, int Pid, string Comm, int ProcessId,
    string? Provider, string? Operation, string Model, string? RequestModel, string? ResponseModel,
    long? InputTokens, long? OutputTokens, long? CacheReadTokens, long? CacheCreationTokens, long? ReasoningTokens,
    double? DurationMs, double? TtftMs, double? TtfcMs, int? StatusCode, string? ErrorType, bool? Streaming, bool? Complete,
    bool? Truncated, string? ServerAddress, string? UrlPath, IReadOnlyList<string>? FinishReasons, string? ExchangeId, double? CostUsd);

internal sealed record LlmPage(IReadOnlyList<LlmCallRow> Items, long Total, IReadOnlyList<string> Models);

internal sealed record HttpRow(string ExchangeId, string? Method, string? Host, string? Path, int? Status, double? DurationMs, double? TtfbMs,
    bool Complete, string? EndReason, long? RequestBodySize, long? ResponseBodySize, bool Streamed);

internal sealed record LlmDetail(LlmCallRow Call, JsonElement? Event, HttpRow? Http);

internal sealed record ProcessRow(int Id, int Pid, int? Ppid, int? ParentId, string Comm, string? Filename, IReadOnlyList<string>? Argv,
    string CommandLine, long StartNs, bool StartKnown, long? EndNs, long LastSeenNs, int? ExitCode, int? Signal, bool CoreDumped,
    double? DurationMs, int Files, int FilesWritten, int FilesFailed, int FilesMissed, int LlmCalls, long InputTokens, long OutputTokens, long Events,
    IReadOnlyList<int> Children, int McpCalls, string? ContainerId, string? ContainerRuntime, string? PodUid);

/// <summary>
/// One MCP call or notification. <c>Arguments</c> and <c>Result</c> are previews (JSON text cut at
/// <see cref="McpCall.PreviewChars"/> characters); the whole is in the event (<c>EventSeq</c>).
/// </summary>
internal sealed record McpCallRow(int Id, long EventSeq, long StartNs, long EndNs, long Timestamp, int Pid, string Comm, int ProcessId,
    string? Method, string? RequestId, string? Kind, string? Direction, string? Transport, string? SessionId, string Server,
    string? ServerName, string? ServerVersion, string? ClientName, string? ToolName, string? Target, string? Arguments, string? Result,
    long? ErrorCode, string? ErrorMessage, string? ErrorType, bool IsError, bool Complete, bool Truncated, int? ClientPid, int? ServerPid,
    string? Url, string? ExchangeId, double? DurationMs);

/// <summary>One MCP server as its calls show it: name and version from <c>initialize</c>, where it runs, what was called.</summary>
internal sealed record McpServerRow(string Server, string? Name, string? Version, string? Transport, int? Pid, string? Url,
    IReadOnlyList<string> Clients, long Calls, long ToolCalls, long Errors, long Incomplete, IReadOnlyList<string> Tools, double TotalDurationMs);

internal sealed record McpPage(IReadOnlyList<McpCallRow> Items, long Total, IReadOnlyList<McpServerRow> Servers);

internal sealed record McpDetail(McpCallRow Call, JsonElement? Event);

/// <summary>An MCP call drawn on its client's lane: <c>Label</c> is the tool's name, else the method.</summary>
internal sealed record McpBar(int Id, long StartNs, long EndNs, string Label, string Server, bool Error);

/// <summary>One open; <c>Failed</c> is true for an error and for a look-up that missed, <c>Outcome</c> says which.</summary>
internal sealed record FileRow(long Timestamp, string Path, string Access, bool? Writes, bool Failed, FileOpenOutcome Outcome, string? Error, long? Fd);

internal sealed record ProcessDetail(ProcessRow Process, IReadOnlyList<FileRow> Files, IReadOnlyList<LlmCallRow> Calls,
    IReadOnlyList<ConnectionRow> Connections, IReadOnlyList<McpCallRow> McpCalls);

internal sealed record ProcessList(IReadOnlyList<ProcessRow> Items, IReadOnlyList<int> Roots);

internal sealed record CallBar(int Id, long StartNs, long EndNs, string Model, bool Error, long? InputTokens, long? OutputTokens);

/// <summary>
/// Counts per bin: the bin's index, then process, file, network, LLM, other and MCP events. <c>Resources</c>: the process's
/// resource samples in the window, at most one per bin (its highest CPU and RSS), as [time ns, CPU percent (-1 when
/// unknown), RSS bytes]; the peaks are the window's.
/// </summary>
internal sealed record TimelineLane(int ProcessId, int Pid, string Comm, string Label, int Depth, long StartNs, long EndNs, int? ExitCode,
    IReadOnlyList<CallBar> Calls, int CallsHidden, IReadOnlyList<long[]> Bins, IReadOnlyList<double[]> Resources, double? PeakCpu, long? PeakRss,
    IReadOnlyList<McpBar> McpCalls);

internal sealed record Timeline(long FromNs, long ToNs, int Bins, long SessionStartNs, long SessionEndNs, IReadOnlyList<TimelineLane> Lanes, int LanesTotal);

internal sealed record ModelRow(string Model, string? Provider, long Calls, long Errors, long InputTokens, long OutputTokens,
    long CacheReadTokens, long ReasoningTokens, double TotalDurationMs, double? AvgDurationMs, double? AvgTtftMs, double? CostUsd, long UnpricedCalls);

internal sealed record LlmTotals(long Calls, long Errors, long InputTokens, long OutputTokens, long CacheReadTokens,
    long CacheCreationTokens, long ReasoningTokens, IReadOnlyList<ModelRow> Models, double? CostUsd, long UnpricedCalls, string? PriceTable,
    IReadOnlyList<double[]> CostOverTime);

/// <summary>
/// One agent run of the trace analyzer (its run span): tokens and cost summed over its calls. <c>CostUsd</c> is null when
/// none of its calls was priced; <c>UnpricedCalls</c> says how many were not (unknown model, no usage).
/// </summary>
internal sealed record RunRow(string TraceId, string SpanId, string Name, int? Pid, string? CommandLine, long StartNs, long EndNs, string Status,
    long Calls, long Conversations, long InputTokens, long OutputTokens, double? CostUsd, long UnpricedCalls);

/// <summary>A span for the Trace view, with the call (<c>CallId</c>) or process (<c>ProcessId</c>) a click opens.</summary>
internal sealed record SpanRow(long EventSeq, string TraceId, string SpanId, string? ParentSpanId, string Name, string Operation, string Kind,
    long StartNs, long EndNs, string Status, string? StatusMessage, JsonObject Attributes, int? CallId, int? ProcessId);

/// <summary>Every span of the session (at most <c>Limit</c>, the oldest first; <c>Dropped</c> past it).</summary>
internal sealed record TraceView(IReadOnlyList<SpanRow> Spans, long Dropped);

internal sealed record ProcessTotals(long Count, long Running, long Exited, long Failed);

/// <summary><c>Failed</c>: opens that failed with an error; <c>Missed</c>: look-ups that found nothing (not errors).</summary>
internal sealed record FileTotals(long Paths, long Opens, long Written, long Failed, long Missed);

internal sealed record HttpTotals(long Exchanges, long Errors, long Incomplete);

internal sealed record ErrorRow(string Kind, long Count, IReadOnlyList<string> Examples);

internal sealed record DropRow(string Stage, string Kind, string Counter, long Count);

/// <summary>
/// Every loss counted. <c>Incomplete</c> is true for a stored session whose recorder never marked it complete
/// (killed, crashed, or still recording): events that were in its queues are missing and no counter says how many;
/// <c>IncompleteText</c> says so in one sentence (null when complete).
/// </summary>
internal sealed record DropTotals(long Total, IReadOnlyList<DropRow> Items, bool FromRecording, bool Incomplete, string? IncompleteText);

internal sealed record FileSummary(string Path, int Opens, int Writes, int Failures, int Misses, long FirstNs, long LastNs, IReadOnlyList<string> By);

internal sealed record Overview(long? StartNs, long? EndNs, double? DurationMs, long Events, IReadOnlyDictionary<string, long> Sources,
    LlmTotals Llm, ProcessTotals Processes, FileTotals Files, HttpTotals Http, IReadOnlyList<ErrorRow> Errors, DropTotals Drops,
    IReadOnlyList<FileSummary> FilesWritten, NetworkTotals Network, ResourceTotals Resources, IReadOnlyList<RunRow> Runs,
    IReadOnlyList<ContainerRow> Containers);

/// <summary>
/// One container the session's processes ran in (docs/EVENTS.md, the <c>container</c> field): its processes, its
/// first process's command, and the calls those processes made.
/// </summary>
internal sealed record ContainerRow(string Id, string? Runtime, string? PodUid, int Processes, int FirstProcessId, string FirstCommand,
    long FirstNs, int LlmCalls);

/// <summary>The sample at which one process reached a peak: <c>Value</c> is RSS bytes or CPU percent.</summary>
internal sealed record ResourcePeak(int ProcessId, int Pid, string Comm, double Value, long AtNs);

/// <summary>The session's resource samples: how many, of how many processes, and the highest RSS and CPU of one process.</summary>
internal sealed record ResourceTotals(long Samples, int Processes, ResourcePeak? PeakRss, ResourcePeak? PeakCpu);

/// <summary>One connection: its connect, its TLS hello and whether its plaintext went unseen (and why).</summary>
internal sealed record ConnectionRow(int Id, int ProcessId, int Pid, string Comm, long? Fd, long FirstSeq, long StartNs, string Host,
    string? Family, string? Address, long? Port, string? Path, string? Result, string? Error, bool Tls, string? ServerName, string? Remote,
    IReadOnlyList<string>? Alpn, bool? Tls13, bool Unseen, string? Binary, string? Program, string? Reason, long? ConnectSeq,
    long? HelloSeq, long? UnseenSeq);

internal sealed record ConnectionPage(IReadOnlyList<ConnectionRow> Items, long Total);

/// <summary>
/// The connections of one process to one host. <c>Tls</c> counts TLS connections, <c>Unseen</c> those whose
/// plaintext no probe saw; <c>Addresses</c> are the peers' addresses when the host is a server name. <c>FailedConnects</c>
/// are the failed connects that are errors (their errno names in <c>Errors</c>), <c>MissedConnects</c> those to a Unix
/// socket that is not there (<see cref="Model.ErrorRule"/>).
/// </summary>
internal sealed record HostRow(string Host, long Connections, long Connects, long FailedConnects, IReadOnlyList<string> Errors,
    long MissedConnects, long Tls, long Unseen, IReadOnlyList<string> Addresses, IReadOnlyList<string> Alpn, long FirstNs, long LastNs);

/// <summary>The hosts one process instance talked to.</summary>
internal sealed record ProcessHosts(int ProcessId, int Pid, string Comm, string? Executable, long Connections, long Unseen,
    IReadOnlyList<HostRow> Hosts);

/// <summary>
/// TLS connections of one process whose plaintext no probe saw, for one reason: one warning line (<c>Text</c>). The
/// process fields are null for the line made from the capture's counter alone (a session without network events).
/// </summary>
internal sealed record UnseenTlsWarning(int? ProcessId, int? Pid, string? Comm, string? Binary, string? Program, string? Reason,
    long Connections, IReadOnlyList<string> Hosts, long? FirstSeq, string Text);

/// <summary>
/// The Overview's network part. <c>UnseenCounted</c> is the capture's own count (the <c>ssl</c> source's
/// <c>unseen_connections</c>, of this run and of the recording's), which also covers runs without network events.
/// </summary>
internal sealed record NetworkTotals(long Hosts, long Connections, long Connects, long FailedConnects, long MissedConnects, long Tls, long Unseen,
    long UnseenCounted, IReadOnlyList<ProcessHosts> Processes, IReadOnlyList<UnseenTlsWarning> Warnings);

internal sealed record StageRow(int Position, string Id, string Plugin, string Kind, string State, long In, long Out, long Dropped,
    long Failed, int Restarts, int QueueDepth, int QueueHighWater, int QueueCapacity, string Backpressure, double TimeSpentMs,
    IReadOnlyDictionary<string, long> Counters);

internal sealed record SourceRow(string Name, long Produced, IReadOnlyDictionary<string, long> Counters);

internal sealed record PipelineView(DateTimeOffset? TakenAt, IReadOnlyList<SourceRow> Sources, IReadOnlyList<StageRow> Stages,
    RecordedPipeline? Recorded);

internal sealed record RecordedPipeline(string? TakenAt, IReadOnlyList<SourceRow> Sources, IReadOnlyList<StageRow> Stages,
    IReadOnlyDictionary<string, string> Meta);

internal sealed record LiveSummary(long LastSeq, long Events, long LlmCalls, long Processes, long FilePaths, long Drops, long ReceivedAtMs);

internal sealed record Report(Overview Overview, IReadOnlyList<LlmCallRow> SlowestCalls, IReadOnlyList<ProcessRow> Processes,
    PipelineView Pipeline);
