using System.Diagnostics;
using AgentSight.Host.Capture.Network;

namespace AgentSight.Tests.Capture.Network;

/// <summary>The server name and ALPN protocols are read from ClientHellos real TLS libraries write.</summary>
public sealed class ClientHelloTests
{
    [Fact]
    public void Pythons_OpenSSL_hello_gives_its_server_name_protocols_and_TLS_1_3()
    {
        var hello = PythonHello("api.anthropic.com", "h2", "http/1.1");

        var parsed = ClientHello.Parse(hello);

        Assert.NotNull(parsed);
        Assert.Equal("api.anthropic.com", parsed.ServerName);
        Assert.Equal(["h2", "http/1.1"], parsed.Protocols);
        Assert.True(parsed.OffersTls13);
    }

    [Fact]
    public void A_hello_without_SNI_or_ALPN_has_neither()
    {
        var parsed = ClientHello.Parse(PythonHello(null));

        Assert.NotNull(parsed);
        Assert.Null(parsed.ServerName);
        Assert.Empty(parsed.Protocols);
    }

    [Fact]
    public void A_hello_cut_by_the_capture_keeps_what_came_before_the_cut()
    {
        var hello = PythonHello("example.org", "http/1.1");
        for (var length = 0; length < hello.Length; length++)
        {
            // Never throws; once the SNI extension is whole, the name is there.
            var parsed = ClientHello.Parse(hello.AsSpan(0, length));
            Assert.True(parsed is null || parsed.ServerName is null or "example.org");
        }
    }

    [Fact]
    public void Other_records_are_not_hellos()
    {
        Assert.Null(ClientHello.Parse([0x17, 3, 3, 0, 5, 1, 2, 3, 4, 5]));
        Assert.Null(ClientHello.Parse([0x16, 3, 3, 0, 4, 2, 0, 0, 0]));
        Assert.Null(ClientHello.Parse([]));
    }

    /// <summary>The first record an OpenSSL client writes, taken from Python's ssl module through a memory BIO.</summary>
    private static byte[] PythonHello(string? serverName, params string[] protocols)
    {
        var alpn = protocols.Length == 0 ? string.Empty : $"context.set_alpn_protocols([{string.Join(",", protocols.Select(p => $"'{p}'"))}])";
        var script = $$"""
            import ssl, sys
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            {{alpn}}
            incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            tls = context.wrap_bio(incoming, outgoing, server_hostname={{(serverName is null ? "None" : $"'{serverName}'")}})
            try:
                tls.do_handshake()
            except ssl.SSLWantReadError:
                pass
            sys.stdout.write(outgoing.read().hex())
            """;
        var start = new ProcessStartInfo(CaptureEnvironment.Python, ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var python = Process.Start(start)!;
        var hex = python.StandardOutput.ReadToEnd();
        var errors = python.StandardError.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0, errors);
        return Convert.FromHexString(hex);
    }
}
