using AgentSight.Host.Capture.Network;

namespace AgentSight.Tests.Capture.Network;

/// <summary>Addresses passed to connect() are shown as a user reads them.</summary>
public sealed class SocketAddressTests
{
    [Fact]
    public void IPv4_IPv6_mapped_and_Unix_addresses_are_decoded()
    {
        byte[] ipv4 = [2, 0, 0x20, 0xfb, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal("127.0.0.1:8443", SocketAddress.Parse(ipv4)!.ToString());

        var ipv6 = new byte[28];
        ipv6[0] = 10;
        ipv6[2] = 0x01;
        ipv6[3] = 0xbb;
        ipv6[23] = 1;
        Assert.Equal("[::1]:443", SocketAddress.Parse(ipv6)!.ToString());

        var mapped = new byte[28];
        mapped[0] = 10;
        mapped[3] = 80;
        mapped[18] = 0xff;
        mapped[19] = 0xff;
        mapped[20] = 10;
        mapped[23] = 7;
        var address = SocketAddress.Parse(mapped)!;
        Assert.Equal(("ipv4", "10.0.0.7:80"), (address.Family, address.ToString()));

        byte[] unix = [1, 0, .. "/run/app.sock\0garbage"u8];
        Assert.Equal("/run/app.sock", SocketAddress.Parse(unix)!.ToString());
        byte[] abstractName = [1, 0, 0, .. "mcp-server"u8];
        Assert.Equal("@mcp-server", SocketAddress.Parse(abstractName)!.ToString());
    }

    [Fact]
    public void Unknown_families_and_short_buffers_give_nothing()
    {
        Assert.Null(SocketAddress.Parse([16, 0, 1, 2, 3, 4]));
        Assert.Null(SocketAddress.Parse([2]));
        Assert.Null(SocketAddress.Parse([2, 0, 1]));
    }
}
