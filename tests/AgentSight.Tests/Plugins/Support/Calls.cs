using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Plugins.Sse;

namespace AgentSight.Tests.Analyzers.Support;

/// <summary>One call through the whole chain: a request, and a response streamed in pieces or sent whole.</summary>
internal static class Calls
{
    /// <summary>Runs a streamed call; the stream is cut into reads of <paramref name="readSize"/> bytes (0: one chunk per event block).</summary>
    public static AnalyzerChain Streamed(string path, string host, string requestBody, string stream, int readSize = 0,
        string contentType = "text/event-stream; charset=utf-8", SseAnalyzerConfig? sse = null, string responseHead = "")
    {
        var wire = new Wire().Write(Wire.Request(requestBody, path, host));
        wire.Read(responseHead.Length > 0 ? responseHead : Wire.StreamHead(contentType));
        var bytes = Encoding.UTF8.GetBytes(stream);
        var step = readSize > 0 ? readSize : 64;
        for (var i = 0; i < bytes.Length; i += step)
        {
            wire.Add(AgentSight.Contracts.TlsDirection.Read,
                Wire.Latin1(Wire.Chunk(bytes[i..Math.Min(bytes.Length, i + step)])));
        }
        wire.Read(Wire.LastChunk);
        return AnalyzerChain.Default(sse: sse).Run(wire.Events);
    }

    public static AnalyzerChain Whole(string path, string host, string requestBody, string responseBody, int status = 200)
    {
        var wire = new Wire().Write(Wire.Request(requestBody, path, host)).Read(Wire.Response(responseBody, status));
        return AnalyzerChain.Default().Run(wire.Events);
    }

    public static JsonObject Sse(this AnalyzerChain chain) => chain.OfSource("sse").Single().Fields!;

    public static JsonObject Llm(this AnalyzerChain chain) => chain.OfSource("llm").Single().Fields!;

    public static JsonObject Message(this AnalyzerChain chain) => (JsonObject)chain.Sse()["message"]!;
}
