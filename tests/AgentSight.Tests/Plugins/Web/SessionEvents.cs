using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.WebUi;

/// <summary>Events as the capture runners and the analyzers write them (docs/EVENTS.md), for session tests.</summary>
public static class SessionEvents
{
    public const int WriteFlags = 0x241; // O_WRONLY | O_CREAT | O_TRUNC

    public static long At(double seconds) => Some.Epoch + (long)(seconds * 1_000_000_000);

    public static AgentEvent Process(double at, int pid, string comm, JsonObject data) =>
        new(At(at), EventSources.Process, pid, pid, comm, new JsonPayload(data));

    public static AgentEvent Fork(double at, int pid, int ppid, string comm) =>
        Process(at, pid, comm, new JsonObject { ["event"] = "FORK", ["ppid"] = ppid });

    public static AgentEvent Exec(double at, int pid, int ppid, string comm, params string[] argv) =>
        Process(at, pid, comm, new JsonObject
        {
            ["event"] = "EXEC", ["ppid"] = ppid, ["filename"] = "/usr/bin/" + comm, ["argv"] = new JsonArray([.. argv.Select(a => (JsonNode)a)]), ["uid"] = 1000,
        });

    public static AgentEvent Exit(double at, int pid, int ppid, string comm, int code, int? signal = null) =>
        Process(at, pid, comm, new JsonObject
        {
            ["event"] = "EXIT", ["ppid"] = ppid, ["exit_code"] = code, ["signal"] = signal, ["core_dumped"] = false,
        });

    public static AgentEvent Open(double at, int pid, string comm, string path, int flags, int? fd = 3, string? error = null, int errno = 2) =>
        Process(at, pid, comm, error is null
            ? new JsonObject { ["event"] = "FILE_OPEN", ["filepath"] = path, ["flags"] = flags, ["mode"] = 0, ["syscall"] = "openat", ["fd"] = fd }
            : new JsonObject { ["event"] = "FILE_OPEN", ["filepath"] = path, ["flags"] = flags, ["mode"] = 0, ["syscall"] = "openat", ["error"] = error, ["errno"] = errno });

    public static AgentEvent Http(double start, double end, int pid, string comm, string exchange, int status = 200) =>
        new(At(end), "http", pid, pid, comm, new JsonPayload(new JsonObject
        {
            ["exchange_id"] = exchange,
            ["conn_id"] = "0x55d1c2a3b4c0",
            ["role"] = "client",
            ["complete"] = true,
            ["end_reason"] = "response_end",
            ["duration_ms"] = (end - start) * 1000,
            ["request"] = new JsonObject { ["method"] = "POST", ["path"] = "/v1/messages", ["host"] = "api.anthropic.com", ["start_ns"] = At(start), ["end_ns"] = At(start + 0.001), ["body_size"] = 1234 },
            ["response"] = new JsonObject { ["status"] = status, ["streamed"] = true, ["end_ns"] = At(end), ["body_size"] = 4096 },
        }));

    public static AgentEvent Llm(double end, int pid, string comm, string exchange, string model, long input, long output, double durationMs,
        string? error = null) =>
        new(At(end), "llm", pid, pid, comm, new JsonPayload(new JsonObject
        {
            ["gen_ai.provider.name"] = "anthropic",
            ["gen_ai.operation.name"] = "chat",
            ["gen_ai.request.model"] = model,
            ["gen_ai.response.model"] = model + "-20250805",
            ["gen_ai.system_instructions"] = new JsonArray(new JsonObject { ["type"] = "text", ["content"] = "You are terse." }),
            ["gen_ai.input.messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["parts"] = new JsonArray(new JsonObject { ["type"] = "text", ["content"] = "Fix the failing test" }) }),
            ["gen_ai.output.messages"] = new JsonArray(new JsonObject { ["role"] = "assistant", ["parts"] = new JsonArray(new JsonObject { ["type"] = "tool_call", ["id"] = "t1", ["name"] = "run", ["arguments"] = new JsonObject { ["cmd"] = "npm test" } }) }),
            ["gen_ai.usage.input_tokens"] = input,
            ["gen_ai.usage.output_tokens"] = output,
            ["gen_ai.usage.cache_read.input_tokens"] = 10,
            ["server.address"] = "api.anthropic.com",
            ["url.path"] = "/v1/messages",
            ["http.response.status_code"] = error is null ? 200 : 529,
            ["error.type"] = error,
            ["exchange_id"] = exchange,
            ["streaming"] = true,
            ["complete"] = true,
            ["duration_ms"] = durationMs,
            ["time_to_first_token_ms"] = durationMs / 3,
        }));

    public const string GnuTlsReason = "GnuTLS (libgnutls.so.30) is not opened by AgentSight";

    public static AgentEvent Network(double at, int pid, string comm, JsonObject data) =>
        new(At(at), EventSources.Network, pid, pid, comm, new JsonPayload(data));

    /// <summary>A <c>CONNECT</c> to an IP address (the family follows the address) or, with <paramref name="path"/>, a Unix socket.</summary>
    public static AgentEvent Connect(double at, int pid, string comm, int fd, string? address, int? port, string result = "ok",
        string? error = null, string? path = null)
    {
        var data = new JsonObject { ["event"] = "CONNECT", ["fd"] = fd, ["family"] = path is not null ? "unix" : address!.Contains(':', StringComparison.Ordinal) ? "ipv6" : "ipv4" };
        if (address is not null)
        {
            data["address"] = address;
            data["port"] = port;
        }
        if (path is not null)
        {
            data["path"] = path;
        }
        data["result"] = result;
        if (error is not null)
        {
            data["error"] = error;
        }
        return Network(at, pid, comm, data);
    }

    public static AgentEvent TlsHello(double at, int pid, string comm, int fd, string? serverName, string? remote, params string[] alpn)
    {
        var data = new JsonObject { ["event"] = "TLS_HELLO", ["fd"] = fd };
        if (serverName is not null)
        {
            data["server_name"] = serverName;
        }
        if (remote is not null)
        {
            data["remote"] = remote;
        }
        data["alpn"] = new JsonArray([.. alpn.Select(a => (JsonNode)a)]);
        data["tls13"] = true;
        return Network(at, pid, comm, data);
    }

    /// <summary>A <c>TLS_UNSEEN</c>: timestamped with its hello, as the capture writes it, though it arrives later.</summary>
    public static AgentEvent TlsUnseen(double at, int pid, string comm, int fd, string? serverName, string? remote, string binary, string? program,
        string reason)
    {
        var data = new JsonObject { ["event"] = "TLS_UNSEEN", ["fd"] = fd };
        if (serverName is not null)
        {
            data["server_name"] = serverName;
        }
        if (remote is not null)
        {
            data["remote"] = remote;
        }
        data["binary"] = binary;
        data["program"] = program;
        data["reason"] = reason;
        return Network(at, pid, comm, data);
    }

    /// <summary>
    /// An agent (claude, 200) that reaches its API over TLS twice, a Unix socket, and a refused port; and a child
    /// (gnutls-cli, 300) whose two TLS connections no probe saw, for one reason.
    /// </summary>
    public static IReadOnlyList<AgentEvent> NetworkSession(bool unseen = true) =>
    [
        Exec(0, 100, 1, "bash", "bash"),
        Fork(0.1, 200, 100, "bash"),
        Exec(0.11, 200, 100, "claude", "claude", "-p", "fix it"),
        Connect(0.2, 200, "claude", 12, "127.0.0.1", 8443),
        TlsHello(0.21, 200, "claude", 12, "api.anthropic.com", "127.0.0.1:8443", "h2", "http/1.1"),
        Connect(0.3, 200, "claude", 13, null, null, path: "/run/x.sock"),
        Connect(0.4, 200, "claude", 14, "127.0.0.1", 9, "error", "ECONNREFUSED"),
        Connect(0.5, 200, "claude", 15, "127.0.0.1", 8443, "in_progress", "EINPROGRESS"),
        TlsHello(0.51, 200, "claude", 15, "api.anthropic.com", "127.0.0.1:8443", "h2", "http/1.1"),
        Fork(1, 300, 200, "claude"),
        Exec(1.01, 300, 200, "gnutls-cli", "gnutls-cli", "api.x.com"),
        Connect(1.1, 300, "gnutls-cli", 3, "::1", 443),
        TlsHello(1.11, 300, "gnutls-cli", 3, "api.x.com", "[::1]:443"),
        Connect(1.5, 300, "gnutls-cli", 4, "10.0.0.5", 443),
        TlsHello(1.51, 300, "gnutls-cli", 4, "api.y.com", "10.0.0.5:443"),
        .. unseen
            ? (AgentEvent[])[
                TlsUnseen(1.11, 300, "gnutls-cli", 3, "api.x.com", "[::1]:443", "/usr/bin/gnutls-cli", null, GnuTlsReason),
                TlsUnseen(1.51, 300, "gnutls-cli", 4, "api.y.com", "10.0.0.5:443", "/usr/bin/gnutls-cli", null, GnuTlsReason),
            ]
            : [],
        Exit(3, 300, 200, "gnutls-cli", 0),
        Exit(4, 200, 100, "claude", 0),
    ];

    /// <summary>
    /// A manifest whose only stage stores the session in <paramref name="db"/>: replaying an analyzed recording with it
    /// is what recording through the analyzers wrote (running the analyzers again would rebuild every call twice).
    /// </summary>
    public static string StoreOnlyManifest(TempFolder folder, string db)
    {
        var path = folder.Combine("store-only.json");
        File.WriteAllText(path, $$"""{ "stages": [ { "plugin": "session-store", "config": { "path": {{System.Text.Json.JsonSerializer.Serialize(db)}} } } ] }""");
        return path;
    }

    /// <summary>A shell starting an agent that runs a failing test, writes a file and calls a model twice.</summary>
    public static IReadOnlyList<AgentEvent> AgentSession() =>
    [
        Exec(0, 100, 1, "bash", "bash"),
        Fork(0.1, 200, 100, "bash"),
        Exec(0.11, 200, 100, "claude", "claude", "-p", "fix it"),
        Http(0.5, 1.5, 200, "claude", "200:0x1:1"),
        Llm(1.5, 200, "claude", "200:0x1:1", "claude-opus-4-1", 1000, 200, 1000),
        Fork(2, 300, 200, "claude"),
        Exec(2.01, 300, 200, "npm", "npm", "test"),
        Open(2.1, 300, "npm", "/proj/package.json", 0),
        Exit(3, 300, 200, "npm", 1),
        Open(3.5, 200, "claude", "/proj/src/app.ts", WriteFlags),
        Open(3.6, 200, "claude", "/proj/.env", 0, fd: null, error: "ENOENT"),
        Http(4, 6, 200, "claude", "200:0x1:2", status: 529),
        Llm(6, 200, "claude", "200:0x1:2", "claude-opus-4-1", 1500, 0, 2000, error: "overloaded_error"),
        Exit(7, 200, 100, "claude", 0),
    ];
}
