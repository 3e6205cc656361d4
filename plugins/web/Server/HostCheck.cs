using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace AgentSight.Plugins.Web.Server;

/// <summary>
/// Which <c>Host</c> headers the server answers: the names and addresses by which a browser on this machine (or,
/// when it listens on every address, on the network) reaches it, with its port. Anything else is refused, so a web
/// page whose own name was re-pointed at this machine (DNS rebinding) cannot read the API.
/// </summary>
/// <remarks>
/// <para>Rebinding needs a name the attacker controls; an address in the <c>Host</c> header is not one. So names are
/// accepted only from a fixed list, and addresses only when they are this machine's:</para>
/// <list type="bullet">
/// <item>On loopback (the default): <c>localhost</c> and the loopback addresses.</item>
/// <item>On every address (<c>0.0.0.0</c>, <c>::</c>): also the machine's host name and every address of its
/// interfaces (read again, at most once a second, when an unknown address comes, so a new DHCP lease works), and the
/// wildcard itself, which the start message prints.</item>
/// <item>On one other address: that address.</item>
/// </list>
/// </remarks>
internal sealed class HostCheck
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly IPAddress _bound;
    private readonly int _port;
    private readonly bool _any;
    private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private HashSet<IPAddress> _machine = [];
    private long _readAt;

    public HostCheck(IPAddress bound, int port, TimeProvider time)
    {
        _bound = Normalize(bound);
        _port = port;
        _time = time;
        _any = bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any);
        if (IPAddress.IsLoopback(bound) || _any)
        {
            _names.Add("localhost");
        }
        if (_any)
        {
            _names.Add(Dns.GetHostName());
            _machine = ReadMachineAddresses();
            _readAt = time.GetTimestamp();
        }
    }

    /// <summary>True when a request with this <c>Host</c> header may be answered.</summary>
    public bool Allows(string? hostHeader)
    {
        if (!TrySplit(hostHeader, out var host, out var port) || port != _port)
        {
            return false;
        }
        if (IPAddress.TryParse(host, out var address))
        {
            return IsOwn(Normalize(address));
        }
        // A fully qualified form ("localhost.") names the same host.
        return _names.Contains(host.EndsWith('.') ? host[..^1] : host);
    }

    private bool IsOwn(IPAddress address)
    {
        if (address.Equals(_bound))
        {
            return true;
        }
        if (IPAddress.IsLoopback(_bound) || _any)
        {
            if (IPAddress.IsLoopback(address))
            {
                return true;
            }
        }
        if (!_any)
        {
            return false;
        }
        lock (_gate)
        {
            if (_machine.Contains(address))
            {
                return true;
            }
            if (_time.GetElapsedTime(_readAt) < RefreshInterval)
            {
                return false;
            }
            _machine = ReadMachineAddresses();
            _readAt = _time.GetTimestamp();
            return _machine.Contains(address);
        }
    }

    /// <summary>The unicast addresses of every interface, without zones.</summary>
    private static HashSet<IPAddress> ReadMachineAddresses()
    {
        var addresses = new HashSet<IPAddress>();
        try
        {
            foreach (var network in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in network.GetIPProperties().UnicastAddresses)
                {
                    addresses.Add(Normalize(unicast.Address));
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Interfaces unreadable: the loopback names and addresses still work.
        }
        return addresses;
    }

    /// <summary>An IPv4-mapped IPv6 address as IPv4, and no zone, so equal addresses compare equal.</summary>
    private static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;
    }

    /// <summary>
    /// <c>name</c>, <c>name:port</c>, <c>[v6]</c> or <c>[v6]:port</c>; no port means 80. False for anything else
    /// (an unbracketed IPv6 address, a user part, a bad port).
    /// </summary>
    private static bool TrySplit(string? header, out string host, out int port)
    {
        host = string.Empty;
        port = 80;
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }
        string rest;
        if (header[0] == '[')
        {
            var close = header.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }
            host = header[1..close];
            rest = header[(close + 1)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }
        }
        else
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && header.IndexOf(':', colon + 1) >= 0)
            {
                return false;
            }
            host = colon < 0 ? header : header[..colon];
            rest = colon < 0 ? string.Empty : header[colon..];
        }
        if (host.Length == 0 || host.AsSpan().IndexOfAny("@/\\ ") >= 0)
        {
            return false;
        }
        if (rest.Length == 0)
        {
            return true;
        }
        return rest[0] == ':' && rest.Length > 1
            && int.TryParse(rest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
    }
}
