using AgentSight.Contracts;
using AgentSight.Host.Capture;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AgentSight.Tests.Capture;

/// <summary>Probes placed in stripped code are doubted, once and loudly, when connections start with bytes no client writes.</summary>
public sealed class ProbeVerifierTests
{
    private readonly RecordingLogger _log = new();
    private readonly Counter _suspect = new("suspect_probes");

    private ProbeVerifier Verifier() => new(cookie => cookie == 7, cookie => cookie == 7 ? "/opt/agent/bin/agent" : "/usr/lib/libssl.so.3", _log, _suspect);

    [Fact]
    public void Connections_starting_with_random_bytes_make_the_probes_suspect_once()
    {
        var verifier = Verifier();
        var random = new byte[64];
        new Random(5).NextBytes(random);

        for (ulong connection = 1; connection <= 5; connection++)
        {
            verifier.OnWrite(100, connection, cookie: 7, random);
        }

        Assert.Equal(1, _suspect.Value);
        var warning = Assert.Single(_log.At(LogLevel.Warning));
        Assert.Contains("/opt/agent/bin/agent", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Requests_text_and_HTTP2_prefaces_are_what_clients_write_first()
    {
        var verifier = Verifier();
        var random = new byte[64];
        new Random(5).NextBytes(random);

        verifier.OnWrite(100, 1, 7, "POST /v1/messages HTTP/1.1\r\nhost: api\r\n\r\n"u8);
        for (ulong connection = 2; connection <= 6; connection++)
        {
            verifier.OnWrite(100, connection, 7, random);
        }

        Assert.Equal(0, _suspect.Value);
        Assert.True(ProbeVerifier.Plausible("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\x12\x04"u8));
        Assert.True(ProbeVerifier.Plausible("{\"jsonrpc\":\"2.0\",\"method\":\"initialize\"}\n"u8));
        Assert.False(ProbeVerifier.Plausible(random));
    }

    [Fact]
    public void Probes_found_by_symbol_are_not_second_guessed()
    {
        var verifier = Verifier();
        var random = new byte[64];
        new Random(5).NextBytes(random);

        for (ulong connection = 1; connection <= 5; connection++)
        {
            verifier.OnWrite(100, connection, cookie: 1, random);
        }

        Assert.Equal(0, _suspect.Value);
        Assert.Empty(_log.Entries);
    }
}
