using AgentSight.Contracts;

namespace AgentSight.Plugins.Common.Model;

/// <summary>The <c>data.event</c> of a <c>network</c> event.</summary>
public enum NetworkEventKind
{
    /// <summary>Anything else (a kind a later capture adds).</summary>
    Other,

    /// <summary><c>CONNECT</c>: a traced process called connect().</summary>
    Connect,

    /// <summary><c>TLS_HELLO</c>: a ClientHello was written: a TLS connection starts.</summary>
    TlsHello,

    /// <summary><c>TLS_UNSEEN</c>: a TLS connection carried application data and no probe saw its plaintext.</summary>
    TlsUnseen,
}

/// <summary>One <c>network</c> event, read (docs/EVENTS.md): what a connect() reached, or what a TLS connection is.</summary>
public sealed record NetworkEvent(
    NetworkEventKind Kind,
    long Timestamp,
    int Pid,
    string Comm,
    long? Fd,
    string? Family,
    string? Address,
    long? Port,
    string? Path,
    string? Result,
    string? Error,
    string? ServerName,
    string? Remote,
    IReadOnlyList<string>? Alpn,
    bool? Tls13,
    string? Binary,
    string? Program,
    string? Reason)
{
    /// <summary>What connect() was given, written as <c>ss</c> does: <c>127.0.0.1:8443</c>, <c>[::1]:443</c>, a socket path.</summary>
    public string? Target => SocketText(Family, Address, Port, Path);

    /// <summary>Whom the event is about, in the words a user knows best: the server name, else the address.</summary>
    public string Peer => ServerName ?? Remote ?? Target ?? (Fd is { } fd ? $"socket {fd}" : "an unknown peer");

    /// <summary>Reads a <c>network</c> event; null for any other source.</summary>
    public static NetworkEvent? Read(ReadOnlyEvent evt)
    {
        if (evt.Source != EventSources.Network)
        {
            return null;
        }
        var f = evt.Fields;
        var kind = JsonRead.Str(f, "event") switch
        {
            "CONNECT" => NetworkEventKind.Connect,
            "TLS_HELLO" => NetworkEventKind.TlsHello,
            "TLS_UNSEEN" => NetworkEventKind.TlsUnseen,
            _ => NetworkEventKind.Other,
        };
        return new NetworkEvent(kind, evt.Timestamp, evt.Pid, evt.Comm, JsonRead.Long(f, "fd"), JsonRead.Str(f, "family"),
            JsonRead.Str(f, "address"), JsonRead.Long(f, "port"), JsonRead.Str(f, "path"), JsonRead.Str(f, "result"),
            JsonRead.Str(f, "error"), JsonRead.Str(f, "server_name"), JsonRead.Str(f, "remote"), JsonRead.Strings(f, "alpn"),
            JsonRead.Bool(f, "tls13"), JsonRead.Str(f, "binary"), JsonRead.Str(f, "program"), JsonRead.Str(f, "reason"));
    }

    /// <summary>A socket address as one string, as the capture writes a TLS connection's <c>remote</c>; null when nothing is known.</summary>
    public static string? SocketText(string? family, string? address, long? port, string? path)
    {
        if (address is not null)
        {
            var host = family == "ipv6" || (family is null && address.Contains(':', StringComparison.Ordinal)) ? $"[{address}]" : address;
            return port is { } p ? $"{host}:{p.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : host;
        }
        if (path is not null)
        {
            return path;
        }
        return family == "unix" ? "unix socket" : null;
    }
}
