using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace AgentSight.Host.Capture.Network;

/// <summary>A socket address as passed to connect(): IPv4, IPv6 or a Unix socket path.</summary>
internal sealed record SocketAddress(string Family, string? Address, int? Port, string? Path)
{
    private const int AfUnix = 1;
    private const int AfInet = 2;
    private const int AfInet6 = 10;

    /// <summary>"127.0.0.1:8443", "[::1]:443" or the socket's path.</summary>
    public override string ToString() => Family switch
    {
        "ipv4" => $"{Address}:{Port}",
        "ipv6" => $"[{Address}]:{Port}",
        _ => Path ?? Family,
    };

    /// <summary>Decodes a <c>sockaddr</c>; null for families not listed here (netlink, packet…).</summary>
    public static SocketAddress? Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2)
        {
            return null;
        }
        switch (BinaryPrimitives.ReadUInt16LittleEndian(bytes))
        {
            case AfInet when bytes.Length >= 8:
                return new SocketAddress("ipv4", new IPAddress(bytes.Slice(4, 4)).ToString(), BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]), null);
            case AfInet6 when bytes.Length >= 24:
                var address = new IPAddress(bytes.Slice(8, 16));
                // An IPv4-mapped address is the IPv4 peer it stands for.
                var text = address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString();
                return new SocketAddress(address.IsIPv4MappedToIPv6 ? "ipv4" : "ipv6", text, BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]), null);
            case AfUnix:
                var path = bytes[2..];
                if (path.IsEmpty)
                {
                    return new SocketAddress("unix", null, null, null);
                }
                // An abstract socket starts with a NUL and is shown with '@', as ss(8) does.
                var isAbstract = path[0] == 0;
                var name = isAbstract ? path[1..] : path;
                var end = name.IndexOf((byte)0);
                var shown = Encoding.UTF8.GetString(end < 0 || isAbstract ? name.TrimEnd((byte)0) : name[..end]);
                return new SocketAddress("unix", null, null, isAbstract ? "@" + shown : shown);
            default:
                return null;
        }
    }
}
