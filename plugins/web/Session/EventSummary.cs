using System.Globalization;
using System.Text;
using AgentSight.Contracts;
using AgentSight.Plugins.Common.Model;

namespace AgentSight.Plugins.Web.Session;

/// <summary>One readable line per event, for the event log and the live feed.</summary>
internal static class EventSummary
{
    private const int MaxLength = 200;

    public static string Of(ReadOnlyEvent evt)
    {
        var text = evt switch
        {
            { Tls: { } tls } => Tls(tls),
            { HttpBody: not null } => HttpBody(evt),
            { WebSocketMessage: { } message } => WebSocket(message),
            { HasFields: true } => evt.Source switch
            {
                EventSources.Process => Process(evt),
                EventSources.Network => Network(evt),
                "http" => Http(evt),
                "http_body" => HttpBody(evt),
                "sse" => Sse(evt),
                "llm" => Llm(evt),
                EventSources.Mcp => Mcp(evt),
                // After redaction a stdio payload is its JSON form (read from a copy: the reader takes a node).
                EventSources.Stdio when AgentEventJson.TryReadStdio(evt.Fields.DeepClone()!.AsObject()) is { } stdio => Stdio(new ReadOnlyStdioPayload(stdio)),
                ResourceSample.Source when ResourceSample.Read(evt) is { } sample => Resource(sample),
                _ => Fallback(evt),
            },
            { Stdio: { } stdio } => Stdio(stdio),
            _ => evt.Source,
        };
        return text.Length > MaxLength ? string.Concat(text.AsSpan(0, MaxLength - 1), "…") : text;
    }

    private static string Tls(ReadOnlyTlsPayload tls)
    {
        if (tls.Direction == TlsDirection.Handshake)
        {
            return "HANDSHAKE";
        }
        var builder = new StringBuilder();
        builder.Append(tls.Function).Append(' ').Append(tls.Length.ToString(CultureInfo.InvariantCulture)).Append(" B");
        if (tls.Truncated)
        {
            builder.Append(" (cut, ").Append(tls.BytesLost.ToString(CultureInfo.InvariantCulture)).Append(" B lost)");
        }
        var bytes = tls.Bytes.Span;
        if (bytes.Length > 0)
        {
            var line = bytes[..Math.Min(bytes.Length, 160)];
            var end = line.IndexOfAny((byte)'\r', (byte)'\n');
            if (end >= 0)
            {
                line = line[..end];
            }
            builder.Append(": ").Append(TlsPayload.IsText(line) ? Encoding.UTF8.GetString(line) : "(binary)");
        }
        return builder.ToString();
    }

    private static string Resource(ResourceSample s) =>
        $"CPU {(s.CpuPercent is { } cpu ? cpu.ToString("0.#", CultureInfo.InvariantCulture) + " %" : "?")} · RSS {ReportText.Bytes(s.RssBytes)}"
        + $" · user {s.CpuUserMs?.ToString("N0", CultureInfo.InvariantCulture) ?? "?"} ms, system {s.CpuSystemMs?.ToString("N0", CultureInfo.InvariantCulture) ?? "?"} ms";

    private static string Process(ReadOnlyEvent evt)
    {
        var f = evt.Fields;
        var kind = JsonRead.Str(f, "event") ?? "process";
        return kind switch
        {
            "EXEC" => $"EXEC {(JsonRead.Strings(f, "argv") is { Count: > 0 } argv ? string.Join(' ', argv) : JsonRead.Str(f, "filename") ?? JsonRead.Str(f, "full_command") ?? "")}",
            "FORK" => $"FORK from {JsonRead.Long(f, "ppid")?.ToString(CultureInfo.InvariantCulture) ?? "?"}",
            "EXIT" => JsonRead.Long(f, "signal") is { } signal
                ? $"EXIT killed by signal {signal.ToString(CultureInfo.InvariantCulture)}"
                : $"EXIT {JsonRead.Long(f, "exit_code")?.ToString(CultureInfo.InvariantCulture) ?? "?"}{Ms(JsonRead.Double(f, "duration_ms"), " after ")}",
            "FILE_OPEN" when FileOpen.Read(evt) is { } open =>
                $"OPEN {open.Path} ({open.Access}){open.Outcome switch
                {
                    FileOpenOutcome.Miss => $" not there: {open.Error ?? open.Errno?.ToString(CultureInfo.InvariantCulture)}",
                    FileOpenOutcome.Error => $" failed: {open.Error ?? open.Errno?.ToString(CultureInfo.InvariantCulture)}",
                    _ => "",
                }}",
            "BASH_READLINE" => $"BASH {JsonRead.Str(f, "command")}",
            _ => kind,
        };
    }

    /// <summary>"CONNECT 127.0.0.1:8443 ok", "TLS api.anthropic.com (h2, http/1.1)", "TLS UNSEEN api.x.com: why".</summary>
    private static string Network(ReadOnlyEvent evt)
    {
        if (NetworkEvent.Read(evt) is not { } n)
        {
            return Fallback(evt);
        }
        return n.Kind switch
        {
            NetworkEventKind.Connect => $"CONNECT {n.Target ?? "?"}{ConnectResult(n)}",
            NetworkEventKind.TlsHello => $"TLS {n.Peer}{(n.Alpn is { Count: > 0 } alpn ? $" ({string.Join(", ", alpn)})" : "")}",
            NetworkEventKind.TlsUnseen => $"TLS UNSEEN {n.Peer}: {n.Reason ?? "no reason given"}",
            _ => Fallback(evt),
        };
    }

    private static string ConnectResult(NetworkEvent n) => n.Result switch
    {
        null => "",
        "error" => $" error: {n.Error ?? "?"}",
        "in_progress" => " in progress",
        var other => " " + other,
    };

    private static string Http(ReadOnlyEvent evt)
    {
        if (HttpExchange.Read(evt) is not { } x)
        {
            return "http";
        }
        var status = x.Status is { } s ? s.ToString(CultureInfo.InvariantCulture) : "no response";
        return $"{x.Method} {x.Host}{x.Path} → {status}{Ms(x.DurationMs, " in ")}{(x.Complete ? "" : $" ({x.EndReason ?? "incomplete"})")}";
    }

    private static string HttpBody(ReadOnlyEvent evt)
    {
        if (evt.HttpBody is { } piece)
        {
            return $"body piece at {piece.Offset.ToString(CultureInfo.InvariantCulture)} ({piece.Bytes.Length.ToString(CultureInfo.InvariantCulture)} bytes) {piece.Path}";
        }
        var f = evt.Fields;
        var data = JsonRead.Str(f, "data") ?? "";
        return $"body piece at {JsonRead.Long(f, "offset")?.ToString(CultureInfo.InvariantCulture) ?? "?"} ({data.Length.ToString(CultureInfo.InvariantCulture)} chars) {JsonRead.Str(f, "path")}";
    }

    private static string WebSocket(ReadOnlyWebSocketMessagePayload message)
    {
        var from = message.FromClient ? "client" : "server";
        var size = message.Size is { } bytes ? $" ({bytes.ToString(CultureInfo.InvariantCulture)} bytes)" : "";
        var text = message.HasText && TlsPayload.IsText(message.Text.Span) ? ": " + Encoding.UTF8.GetString(message.Text.Span[..Math.Min(message.Text.Length, MaxLength)]) : "";
        return $"websocket {message.Opcode} from {from}{size}{text}";
    }

    private static string Sse(ReadOnlyEvent evt)
    {
        var f = evt.Fields;
        var message = JsonRead.Obj(f, "message");
        return $"{JsonRead.Str(f, "provider") ?? "sse"} stream {JsonRead.Str(message, "model")} · {JsonRead.Long(f, "event_count")?.ToString(CultureInfo.InvariantCulture) ?? "?"} events · {JsonRead.Str(f, "end_reason") ?? ""}";
    }

    private static string Llm(ReadOnlyEvent evt)
    {
        var call = LlmCall.Read(evt);
        return $"{call.Provider} {call.Model} · {Tokens(call.InputTokens)} in / {Tokens(call.OutputTokens)} out{Ms(call.DurationMs, " · ")}{(call.IsError ? $" · error {call.ErrorType ?? call.StatusCode?.ToString(CultureInfo.InvariantCulture)}" : "")}";
    }

    /// <summary><c>tools/call echo · mcp-servers/everything · 14 ms · ok</c>.</summary>
    private static string Mcp(ReadOnlyEvent evt)
    {
        var call = McpCall.Read(evt);
        var what = call.ToolName ?? call.Target;
        var outcome = call.Kind == "notification" ? "notification"
            : call.IsError ? $"error {call.ErrorMessage ?? call.ErrorType}"
            : call.Complete ? "ok" : "no answer";
        return $"{call.Method}{(what is null ? "" : " " + what)} · {call.ServerLabel}{Ms(call.DurationMs, " · ")} · {outcome}";
    }

    /// <summary><c>WRITE 42 B unix fd 1 → 1234</c>.</summary>
    private static string Stdio(ReadOnlyStdioPayload stdio)
    {
        var builder = new StringBuilder();
        builder.Append(stdio.Function).Append(' ').Append(stdio.Length.ToString(CultureInfo.InvariantCulture)).Append(" B");
        if (stdio.Kind is not null)
        {
            builder.Append(' ').Append(stdio.Kind);
        }
        builder.Append(" fd ").Append(stdio.Fd.ToString(CultureInfo.InvariantCulture));
        if (stdio.PeerPid is { } peer)
        {
            builder.Append(stdio.Direction == IoDirection.Write ? " → " : " ← ").Append(peer.ToString(CultureInfo.InvariantCulture));
        }
        if (stdio.Truncated)
        {
            builder.Append(" (cut, ").Append(stdio.BytesLost.ToString(CultureInfo.InvariantCulture)).Append(" B lost)");
        }
        return builder.ToString();
    }

    private static string Fallback(ReadOnlyEvent evt)
    {
        if (!evt.HasFields)
        {
            return evt.Source;
        }
        var json = evt.Fields.ToJsonString();
        return json.Length > MaxLength ? json[..MaxLength] : json;
    }

    private static string Tokens(long? tokens) => tokens?.ToString("N0", CultureInfo.InvariantCulture) ?? "?";

    private static string Ms(double? ms, string prefix) => ms is { } value
        ? prefix + (value >= 1000 ? (value / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s" : value.ToString("0.#", CultureInfo.InvariantCulture) + " ms")
        : "";
}
