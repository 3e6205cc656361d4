using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using AgentSight.Plugins.Web;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.WebUi;

/// <summary>
/// The web UI's Host check when it listens on every address (<c>--host 0.0.0.0</c> or <c>::</c>): a browser may
/// reach it by any of the machine's own names and addresses, and a DNS-rebinding page (any other name) still may not.
/// Real requests over real sockets.
/// </summary>
public sealed class WebHostCheckTests
{
    // Every request carries it: what is checked here is the Host header, not access.
    private const string Token = "host-check-test-token";

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public async Task Bound_to_every_address_it_answers_to_the_machine_own_names_and_addresses(string bind)
    {
        await using var sink = new WebSink(new WebSinkConfig { Host = bind, Port = 0, Token = Token }, new TestStageContext { StageId = "web" }, TimeProvider.System, TextWriter.Null);
        await sink.StartAsync(CancellationToken.None);
        var port = sink.Address!.Port;

        var addresses = MachineAddresses().Where(a => bind == "::" || a.AddressFamily == AddressFamily.InterNetwork).ToList();
        Assert.Contains(addresses, a => !IPAddress.IsLoopback(a));
        foreach (var address in addresses)
        {
            // What a browser sends when given http://ADDRESS:PORT/: the address itself as the Host.
            Assert.Equal(HttpStatusCode.OK, await GetAsync(address, port, host: null));
        }
        foreach (var name in new[] { "localhost", "127.0.0.1", "[::1]", Dns.GetHostName(), "LOCALHOST" })
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsync(IPAddress.Loopback, port, $"{name}:{port}"));
        }
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public async Task Bound_to_every_address_it_still_refuses_any_other_name(string bind)
    {
        await using var sink = new WebSink(new WebSinkConfig { Host = bind, Port = 0, Token = Token }, new TestStageContext { StageId = "web" }, TimeProvider.System, TextWriter.Null);
        await sink.StartAsync(CancellationToken.None);
        var port = sink.Address!.Port;

        foreach (var host in new[]
                 {
                     $"evil.example:{port}", "evil.example", $"127.0.0.1.nip.io:{port}", $"{Dns.GetHostName()}.evil.example:{port}",
                     $"localhost.evil.example:{port}", $"8.8.8.8:{port}", $"127.0.0.1:{port + 1}", $"[::ffff:8.8.8.8]:{port}",
                     $"[fe80::1]:{port}", $"localhost:{port}@evil.example", "",
                 })
        {
            // Forbidden by the check, or rejected by Kestrel itself as malformed: never answered.
            var status = await GetAsync(IPAddress.Loopback, port, host);
            Assert.True(status is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"Host: {host} got {status}");
        }
    }

    [Fact]
    public async Task Bound_to_loopback_it_answers_only_to_the_loopback_names()
    {
        await using var sink = new WebSink(new WebSinkConfig { Port = 0, Token = Token }, new TestStageContext { StageId = "web" }, TimeProvider.System, TextWriter.Null);
        await sink.StartAsync(CancellationToken.None);
        var port = sink.Address!.Port;

        Assert.Equal(HttpStatusCode.OK, await GetAsync(IPAddress.Loopback, port, $"localhost:{port}"));
        var outside = MachineAddresses().First(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        // The machine's other addresses are not where it listens: naming them is what a rebinding page would do.
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(IPAddress.Loopback, port, $"{outside}:{port}"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(IPAddress.Loopback, port, $"{Dns.GetHostName()}:{port}"));
    }

    /// <summary>The unicast addresses of the machine's interfaces that are up (link-local IPv6 ones left out: they need a zone).</summary>
    private static IEnumerable<IPAddress> MachineAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .Where(a => !a.IsIPv6LinkLocal);

    /// <summary>A raw GET of /api/session over a socket to <paramref name="address"/>, with exactly this Host (null: the address's own).</summary>
    private static async Task<HttpStatusCode> GetAsync(IPAddress address, int port, string? host)
    {
        using var client = new TcpClient(address.AddressFamily);
        await client.ConnectAsync(address, port);
        var stream = client.GetStream();
        host ??= address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
        var request = $"GET /api/session HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {Token}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream);
        var status = await reader.ReadLineAsync() ?? "";
        // "HTTP/1.1 403 Forbidden"
        var parts = status.Split(' ');
        Assert.True(parts.Length >= 2, $"no status line for Host {host}: \"{status}\"");
        return (HttpStatusCode)int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
