using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Tests.Analyzers.Http2.Wire;
using AgentSight.Tests.Analyzers.Support;

namespace AgentSight.Tests.Analyzers.Http2;

/// <summary>Checks what the http analyzer made of HTTP/2 calls against what was sent.</summary>
internal static class H2Run
{
    /// <summary>The exchange of each call (by stream id), checked field by field against the call.</summary>
    public static void AssertExchanges(HttpRun run, IReadOnlyList<H2Call> calls, string connId = "0x2000")
    {
        var exchanges = run.Exchanges.ToDictionary(e => (int)e["stream_id"]!);
        Assert.Equal(calls.Count, exchanges.Count);
        foreach (var call in calls)
        {
            var exchange = exchanges[call.StreamId];
            AssertExchange(run, exchange, call, connId);
        }
    }

    public static void AssertExchange(HttpRun run, JsonObject exchange, H2Call call, string connId = "0x2000")
    {
        var because = $"stream {call.StreamId}: {exchange.ToJsonString()}";
        Assert.True((bool)exchange["complete"]!, because);
        Assert.Equal("response_end", (string?)exchange["end_reason"]);
        Assert.Equal(connId, (string?)exchange["conn_id"]);
        Assert.Equal("client", (string?)exchange["role"]);
        var request = exchange["request"]!;
        Assert.Equal(call.Method, (string?)request["method"]);
        Assert.Equal(call.Path, (string?)request["path"]);
        Assert.Equal("HTTP/2", (string?)request["version"]);
        Assert.Equal(call.Authority, (string?)request["host"]);
        Assert.Equal(0, (int)request["headers_missed"]!);
        AssertHeaders(call.RequestHeaders, (JsonObject)request["headers"]!, because);
        Assert.Equal(Encoding.UTF8.GetString(call.RequestBody), (string?)request["body"] ?? "");
        Assert.False((bool)request["body_truncated"]!, because);
        var response = exchange["response"]!;
        Assert.Equal(call.Status, (int)response["status"]!);
        Assert.Null((string?)response["reason"]);
        Assert.Equal(0, (int)response["headers_missed"]!);
        AssertHeaders(call.ResponseHeaders, (JsonObject)response["headers"]!, because);
        Assert.Equal(call.ResponseBody.Length, (long)response["body_size"]!);
        Assert.False((bool)response["body_truncated"]!, because);
        if (call.Streamed)
        {
            Assert.True((bool)response["streamed"]!);
            Assert.Null((string?)response["body"]);
            Assert.Equal(call.ResponseBody, run.StreamedBody((string)exchange["exchange_id"]!));
        }
        else
        {
            Assert.Equal(Encoding.UTF8.GetString(call.ResponseBody), (string?)response["body"] ?? "");
        }
    }

    /// <summary>Headers as the analyzer writes them: names in order of first appearance, repeats joined with ", ".</summary>
    public static void AssertHeaders(List<(string Name, string Value)> sent, JsonObject headers, string because)
    {
        var expected = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in sent)
        {
            var at = expected.FindIndex(p => p.Key == name);
            if (at >= 0)
            {
                expected[at] = new(name, expected[at].Value + (name == "cookie" ? "; " : ", ") + value);
            }
            else
            {
                expected.Add(new(name, value));
            }
        }
        Assert.Equal(expected.Select(p => (p.Key, p.Value)), headers.Select(p => (p.Key, (string)p.Value!)));
        _ = because;
    }

    /// <summary>The bytes of the events, per direction.</summary>
    public static (byte[] Writes, byte[] Reads) Bytes(IEnumerable<AgentEvent> events)
    {
        var writes = new List<byte>();
        var reads = new List<byte>();
        foreach (var evt in events)
        {
            if (evt.Data is TlsPayload { Direction: TlsDirection.Write } w)
            {
                writes.AddRange(w.Bytes.ToArray());
            }
            else if (evt.Data is TlsPayload { Direction: TlsDirection.Read } r)
            {
                reads.AddRange(r.Bytes.ToArray());
            }
        }
        return ([.. writes], [.. reads]);
    }
}
