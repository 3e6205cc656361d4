using System.Globalization;
using System.Text;
using AgentSight.Contracts;
using TlsWire = AgentSight.Tests.Analyzers.Support.Wire;

namespace AgentSight.Tests.Analyzers.Http2.Wire;

/// <summary>Writes one HTTP/2 connection frame by frame as the traced client's writes and reads (<c>ssl</c> events).</summary>
internal sealed class H2Wire(ulong connection = 0x2000)
{
    public HpackEncoder Client { get; } = new();

    public HpackEncoder Server { get; } = new();

    public TlsWire Tls { get; } = new();

    public List<AgentEvent> Events => Tls.Events;

    public ulong Connection { get; } = connection;

    /// <summary>One write of the client: the frames joined.</summary>
    public H2Wire Write(params byte[][] frames) => Add(TlsDirection.Write, frames);

    /// <summary>One read of the client.</summary>
    public H2Wire Read(params byte[][] frames) => Add(TlsDirection.Read, frames);

    public H2Wire Add(TlsDirection direction, params byte[][] frames)
    {
        Tls.Add(direction, [.. frames.SelectMany(f => f)], Connection);
        return this;
    }

    /// <summary>The client's preface and SETTINGS, and the server's SETTINGS.</summary>
    public H2Wire Start() => Write(H2Frames.Preface, H2Frames.Settings((2, 0))).Read(H2Frames.Settings((3, 100)), H2Frames.SettingsAck());

    public byte[] Request(int stream, string method = "POST", string path = "/v1/messages", string authority = "api.anthropic.com", bool endStream = false,
        params (string Name, string Value)[] headers) =>
        H2Frames.Headers(stream, Client.Encode([(":method", method), (":scheme", "https"), (":authority", authority), (":path", path), .. headers]), endStream);

    public byte[] Response(int stream, int status = 200, bool endStream = false, params (string Name, string Value)[] headers) =>
        H2Frames.Headers(stream, Server.Encode([(":status", status.ToString(CultureInfo.InvariantCulture)), .. headers]), endStream);

    public static byte[] Data(int stream, string text, bool endStream = false) => H2Frames.Data(stream, Encoding.UTF8.GetBytes(text), endStream);
}
