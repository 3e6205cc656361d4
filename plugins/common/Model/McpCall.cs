using System.Text.Json;
using AgentSight.Contracts;

namespace AgentSight.Plugins.Common.Model;

/// <summary>One <c>mcp</c> event (an MCP request with its response, or a notification), read: what the MCP view and the process tree show.</summary>
/// <remarks>Field names as the <c>mcp</c> analyzer writes them (docs/EVENTS.md).</remarks>
public sealed class McpCall
{
    /// <summary>Longest arguments or result text a list row carries; the whole is in the event.</summary>
    public const int PreviewChars = 300;

    public int Id { get; set; }

    /// <summary>The sequence number of the <c>mcp</c> event in the session.</summary>
    public long EventSeq { get; set; }

    public required long Timestamp { get; init; }

    public required int Pid { get; init; }

    public required string Comm { get; init; }

    public string? Method { get; init; }

    public string? RequestId { get; init; }

    /// <summary><c>request</c> or <c>notification</c>.</summary>
    public string? Kind { get; init; }

    /// <summary><c>client_to_server</c> or <c>server_to_client</c>.</summary>
    public string? Direction { get; init; }

    /// <summary><c>stdio</c> or <c>http</c>.</summary>
    public string? Transport { get; init; }

    public string? SessionId { get; init; }

    public string? ServerName { get; init; }

    public string? ServerVersion { get; init; }

    public string? ClientName { get; init; }

    public string? ClientVersion { get; init; }

    public string? ToolName { get; init; }

    /// <summary>The prompt's name or the resource's URI, for methods that name one.</summary>
    public string? Target { get; init; }

    public string? Arguments { get; init; }

    public string? Result { get; init; }

    public long? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    public string? ErrorType { get; init; }

    public bool IsError { get; init; }

    public bool Complete { get; init; }

    public bool Truncated { get; init; }

    public int? ClientPid { get; init; }

    public int? ServerPid { get; init; }

    /// <summary>Where an HTTP server listens (host and path).</summary>
    public string? Url { get; init; }

    public string? ExchangeId { get; init; }

    public long StartNs { get; init; }

    public long EndNs { get; init; }

    public double? DurationMs { get; init; }

    /// <summary>The server as the views group calls: its name (from <c>initialize</c>), else where it runs.</summary>
    public string ServerLabel => ServerName ?? (Url is not null ? Url : ServerPid is { } pid ? $"pid {pid}" : "(unknown server)");

    /// <summary>Reads an <c>mcp</c> event.</summary>
    public static McpCall Read(ReadOnlyEvent evt)
    {
        var f = evt.Fields;
        var server = JsonRead.Obj(f, "server");
        var client = JsonRead.Obj(f, "client");
        var error = JsonRead.Obj(f, "error");
        var start = JsonRead.Long(f, "start_ns") ?? evt.Timestamp;
        return new McpCall
        {
            Timestamp = evt.Timestamp,
            Pid = evt.Pid,
            Comm = evt.Comm,
            Method = JsonRead.Str(f, "mcp.method.name"),
            RequestId = JsonRead.Str(f, "jsonrpc.request.id"),
            Kind = JsonRead.Str(f, "kind"),
            Direction = JsonRead.Str(f, "direction"),
            Transport = JsonRead.Str(f, "transport"),
            SessionId = JsonRead.Str(f, "mcp.session.id"),
            ServerName = JsonRead.Str(server, "name"),
            ServerVersion = JsonRead.Str(server, "version"),
            ClientName = JsonRead.Str(client, "name"),
            ClientVersion = JsonRead.Str(client, "version"),
            ToolName = JsonRead.Str(f, "gen_ai.tool.name"),
            Target = JsonRead.Str(f, "gen_ai.prompt.name") ?? JsonRead.Str(f, "mcp.resource.uri"),
            Arguments = Preview(f["arguments"]),
            Result = Preview(f["result"]),
            ErrorCode = JsonRead.Long(error, "code"),
            ErrorMessage = JsonRead.Str(error, "message"),
            ErrorType = JsonRead.Str(f, "error.type"),
            IsError = JsonRead.Bool(f, "is_error") == true,
            Complete = JsonRead.Bool(f, "complete") != false,
            Truncated = JsonRead.Bool(f, "truncated") == true,
            ClientPid = (int?)JsonRead.Long(f, "client_pid"),
            ServerPid = (int?)JsonRead.Long(f, "server_pid"),
            Url = JsonRead.Str(f, "url"),
            ExchangeId = JsonRead.Str(f, "exchange_id"),
            StartNs = start,
            EndNs = JsonRead.Long(f, "end_ns") ?? Math.Max(start, evt.Timestamp),
            DurationMs = JsonRead.Double(f, "duration_ms"),
        };
    }

    private static string? Preview(ReadOnlyJson node)
    {
        if (node.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return null;
        }
        var text = node.GetString() ?? node.ToJsonString();
        return text.Length <= PreviewChars ? text : string.Concat(text.AsSpan(0, PreviewChars), "…");
    }
}
