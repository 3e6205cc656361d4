using System.Text;
using AgentSight.Contracts;
using AgentSight.Host.Capture;
using AgentSight.Host.Capture.Network;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>
/// What the socket calls add to the TLS records: one-way AEAD records joined into one connection by their socket,
/// TLS 1.3 padding removed, and connections whose plaintext no probe saw reported with the reason.
/// </summary>
public sealed class TlsSocketDecoderTests
{
    private const ulong SealContext = 0x7f0000001000;
    private const ulong OpenContext = 0x7f0000002000;

    private readonly List<AgentEvent> _events = [];
    private readonly List<AgentEvent> _network = [];
    private readonly TlsCounters _counters = new();
    private readonly BootClock _clock = new();
    private readonly Counter _unseen = new("unseen_connections");
    private readonly Counter _connections = new("tls_connections");
    private readonly RecordingLogger _log = new();

    private TlsCoverage Coverage() => new(_clock, _network.Add, (_, exe) => new BlindSpot(exe, "a test program", "no TLS library found in " + exe), _log, _unseen, _connections);

    private TlsDecoder Decoder(TlsCoverage? coverage = null) => new(_clock, _ => "/opt/agent/codex", new CommNames(), _events.Add, _counters, coverage);

    private static TlsPayload Payload(AgentEvent evt) => Assert.IsType<TlsPayload>(evt.Data);

    [Fact]
    public void Both_directions_of_an_AEAD_connection_share_one_connection_named_by_their_socket()
    {
        var decoder = Decoder();
        var request = "POST /v1/responses HTTP/1.1\r\n\r\n"u8;
        var response = "HTTP/1.1 200 OK\r\n\r\n"u8;

        // The seal comes before the socket write that names its socket: the record waits for the link.
        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, RecordLayout.TlsFirst | RecordLayout.TlsLast | RecordLayout.TlsOneWay, request, request.Length, connection: SealContext));
        Assert.Empty(_events);
        decoder.OnRecord(Records.Socket(RecordLayout.SocketLink, fd: 37, connection: SealContext));
        decoder.OnRecord(Records.Tls(RecordLayout.TlsRead, RecordLayout.TlsFirst | RecordLayout.TlsLast | RecordLayout.TlsOneWay, response, response.Length, connection: OpenContext, fd: 37));

        Assert.Equal(2, _events.Count);
        var (sent, received) = (Payload(_events[0]), Payload(_events[1]));
        Assert.Equal((TlsDirection.Write, TlsDirection.Read), (sent.Direction, received.Direction));
        Assert.Equal(sent.ConnectionId, received.ConnectionId);
        Assert.Equal((37, 37), (sent.Fd, received.Fd));
        Assert.NotEqual(SealContext, sent.ConnectionId);
        Assert.Equal(request.ToArray(), sent.Bytes.ToArray());
    }

    [Fact]
    public void A_new_ClientHello_on_a_reused_socket_starts_a_new_connection()
    {
        var decoder = Decoder();
        var bytes = "GET / HTTP/1.1\r\n\r\n"u8;
        byte flags = RecordLayout.TlsFirst | RecordLayout.TlsLast | RecordLayout.TlsOneWay;

        decoder.OnRecord(Records.Socket(RecordLayout.SocketHello, fd: 9, hello: [0x16, 3, 1, 0, 4, 1, 0, 0, 0]));
        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, flags, bytes, bytes.Length, connection: SealContext, fd: 9));
        decoder.OnRecord(Records.Socket(RecordLayout.SocketHello, fd: 9, hello: [0x16, 3, 1, 0, 4, 1, 0, 0, 0]));
        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, flags, bytes, bytes.Length, connection: SealContext + 0x100, fd: 9));

        Assert.NotEqual(Payload(_events[0]).ConnectionId, Payload(_events[1]).ConnectionId);
    }

    [Fact]
    public void A_record_whose_link_never_comes_is_sent_on_its_own_and_counted()
    {
        var decoder = Decoder();
        var bytes = "POST / HTTP/1.1\r\n\r\n"u8;
        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, RecordLayout.TlsFirst | RecordLayout.TlsLast | RecordLayout.TlsOneWay, bytes, bytes.Length, connection: SealContext));

        decoder.FlushAll();

        var evt = Assert.Single(_events);
        Assert.Equal(SealContext, Payload(evt).ConnectionId);
        Assert.Equal(1, _counters.UnjoinedRecords.Value);
    }

    [Fact]
    public void A_padded_TLS_1_3_record_loses_its_zeros_and_type_and_other_record_types_are_dropped()
    {
        var decoder = Decoder();
        byte flags = RecordLayout.TlsFirst | RecordLayout.TlsLast | RecordLayout.TlsOneWay | RecordLayout.TlsPadded;
        byte[] padded = [.. "data: {}\n\n"u8, 0x17, 0, 0, 0, 0];
        byte[] handshake = [1, 2, 3, 0x16, 0, 0];

        decoder.OnRecord(Records.Tls(RecordLayout.TlsRead, flags, padded, padded.Length, connection: OpenContext, fd: 4));
        decoder.OnRecord(Records.Tls(RecordLayout.TlsRead, flags, handshake, handshake.Length, connection: OpenContext, fd: 4));

        var evt = Assert.Single(_events);
        Assert.Equal("data: {}\n\n", Encoding.UTF8.GetString(Payload(evt).Bytes.Span));
        Assert.Equal(10, Payload(evt).Length);
    }

    [Fact]
    public void A_connection_that_carried_data_no_probe_saw_is_reported_once_with_the_reason()
    {
        var coverage = Coverage();
        var decoder = Decoder(coverage);
        coverage.OnExec(4242, "/usr/bin/gnutls-cli");
        coverage.OnConnect(4242, 4242, "gnutls-cli", 5, 0, new SocketAddress("ipv4", "127.0.0.1", 8443, null), 800_000);

        decoder.OnRecord(Records.Socket(RecordLayout.SocketHello, fd: 5, hello: [0x16, 3, 1, 0, 4, 1, 0, 0, 0], comm: "gnutls-cli"));
        decoder.OnRecord(Records.Socket(RecordLayout.SocketData, fd: 5, comm: "gnutls-cli"));
        coverage.Check(final: true);

        Assert.Equal(1, _unseen.Value);
        Assert.Equal(["CONNECT", "TLS_HELLO", "TLS_UNSEEN"], _network.Select(e => (string?)e.Fields!["event"]));
        var unseen = _network[^1].Fields!;
        Assert.Equal(("127.0.0.1:8443", "/usr/bin/gnutls-cli"), ((string?)unseen["remote"], (string?)unseen["binary"]));
        Assert.Equal("no TLS library found in /usr/bin/gnutls-cli", (string?)unseen["reason"]);
        Assert.Equal(EventSources.Network, _network[^1].Source);
        var warning = Assert.Single(_log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Contains("process 4242 (gnutls-cli) sent TLS to 127.0.0.1:8443 and no probe saw the plaintext", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_whose_plaintext_a_probe_saw_is_not_reported()
    {
        var coverage = Coverage();
        var decoder = Decoder(coverage);
        var bytes = "GET / HTTP/1.1\r\n\r\n"u8;

        decoder.OnRecord(Records.Socket(RecordLayout.SocketHello, fd: 5, hello: [0x16, 3, 1, 0, 4, 1, 0, 0, 0], ts: 900_000));
        decoder.OnRecord(Records.Tls(RecordLayout.TlsWrite, RecordLayout.TlsFirst | RecordLayout.TlsLast, bytes, bytes.Length, fd: 5));
        decoder.OnRecord(Records.Socket(RecordLayout.SocketData, fd: 5));
        coverage.Check(final: true);

        Assert.Equal(0, _unseen.Value);
        Assert.Equal(1, _connections.Value);
        Assert.DoesNotContain(_network, e => (string?)e.Fields!["event"] == "TLS_UNSEEN");
    }

    [Fact]
    public void A_connection_opened_and_never_used_is_not_reported()
    {
        var coverage = Coverage();
        var decoder = Decoder(coverage);

        decoder.OnRecord(Records.Socket(RecordLayout.SocketHello, fd: 5, hello: [0x16, 3, 1, 0, 4, 1, 0, 0, 0]));
        coverage.OnExit(4242);
        coverage.Check(final: true);

        Assert.Equal(0, _unseen.Value);
    }
}
