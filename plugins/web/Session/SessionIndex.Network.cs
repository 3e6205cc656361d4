using AgentSight.Contracts;
using AgentSight.Plugins.Common.Model;

namespace AgentSight.Plugins.Web.Session;

internal sealed partial class SessionIndex
{
    /// <summary>The capture's count of TLS connections whose plaintext no probe saw (on the <c>ssl</c> source).</summary>
    public const string UnseenCounter = "unseen_connections";

    /// <summary>Connections, oldest first, filtered by process instance, host and whether their TLS went unseen; one page.</summary>
    public ConnectionPage Connections(int? processId, string? host, bool? unseen, int offset, int limit) => WithRead(() =>
    {
        IEnumerable<NetworkConnection> connections = processId is { } id ? _network.Of(id) : _network.All;
        if (host is not null)
        {
            connections = connections.Where(c => string.Equals(c.Host, host, StringComparison.OrdinalIgnoreCase));
        }
        if (unseen is { } wanted)
        {
            connections = connections.Where(c => c.Unseen == wanted);
        }
        var matching = connections.ToList();
        return new ConnectionPage(matching.Skip(offset).Take(limit).Select(ConnectionRowOf).ToList(), matching.Count);
    });

    private static ConnectionRow ConnectionRowOf(NetworkConnection c) => new(c.Id, c.ProcessId, c.Pid, c.Comm, c.Fd, c.FirstSeq, c.StartNs,
        c.Host, c.Family, c.Address, c.Port, c.Path, c.Result, c.Error, c.Tls, c.ServerName, c.Remote, c.Alpn, c.Tls13, c.Unseen, c.Binary,
        c.Program, c.Reason, c.ConnectSeq, c.HelloSeq, c.UnseenSeq);

    /// <summary>The hosts each process talked to, and one warning per process and reason for TLS that went unseen.</summary>
    private NetworkTotals Network(PipelineView pipeline)
    {
        var all = _network.All;
        // GroupBy keeps the order of first appearance: processes and hosts in the order they first connected.
        var processes = all.GroupBy(c => c.ProcessId).Select(g => HostsOf(g.Key, g.ToList())).ToList();
        var warnings = all.Where(c => c.Unseen).GroupBy(c => (c.ProcessId, c.Reason)).Select(g => WarningOf(g.ToList())).ToList();
        var counted = PipelineViews.SourceCounter(pipeline, EventSources.Ssl, UnseenCounter);
        if (counted > 0 && !_sourceCounts.ContainsKey(EventSources.Network))
        {
            // A run without network events (the ssl command) still counts what it did not see: say so, without the detail.
            warnings.Add(new UnseenTlsWarning(null, null, null, null, null, null, counted, [], null, NetworkText.CountedOnly(counted)));
        }
        return new NetworkTotals(all.Select(c => c.Host).Distinct(StringComparer.Ordinal).LongCount(), all.Count,
            all.Count(c => c.ConnectSeq is not null), all.Count(ErrorRule.IsError), all.Count(ErrorRule.IsMiss), all.Count(c => c.Tls), all.Count(c => c.Unseen), counted,
            processes, warnings);
    }

    private ProcessHosts HostsOf(int processId, List<NetworkConnection> connections)
    {
        var first = connections[0];
        var process = _activity.TryGetValue(processId, out var activity) ? activity.Process : null;
        var hosts = connections.GroupBy(c => c.Host, StringComparer.Ordinal).Select(g => new HostRow(
                g.Key,
                g.Count(),
                g.Count(c => c.ConnectSeq is not null),
                g.Count(ErrorRule.IsError),
                Distinct(g.Where(ErrorRule.IsError).Select(c => c.Error)),
                g.Count(ErrorRule.IsMiss),
                g.Count(c => c.Tls),
                g.Count(c => c.Unseen),
                Distinct(g.Select(c => c.Remote ?? c.Target).Where(a => a != g.Key)),
                Distinct(g.SelectMany(c => c.Alpn ?? [])),
                g.Min(c => c.StartNs),
                g.Max(c => c.LastNs)))
            .ToList();
        return new ProcessHosts(processId, process?.Pid ?? first.Pid, process?.Comm ?? first.Comm, ExecutableOf(process, connections),
            connections.Count, connections.Count(c => c.Unseen), hosts);
    }

    private UnseenTlsWarning WarningOf(List<NetworkConnection> connections)
    {
        var first = connections[0];
        var process = _activity.TryGetValue(first.ProcessId, out var activity) ? activity.Process : null;
        var pid = process?.Pid ?? first.Pid;
        var comm = process?.Comm ?? first.Comm;
        var binary = connections.Select(c => c.Binary).FirstOrDefault(b => b is not null) ?? process?.Filename;
        var program = connections.Select(c => c.Program).FirstOrDefault(p => p is not null);
        var hosts = Distinct(connections.Select(c => c.Host));
        return new UnseenTlsWarning(first.ProcessId, pid, comm, binary, program, first.Reason, connections.Count, hosts,
            connections.Min(c => c.UnseenSeq), NetworkText.Unseen(connections.Count, comm, pid, binary, program, hosts, first.Reason));
    }

    /// <summary>The process's executable: its last exec, else the binary a report about its TLS named.</summary>
    private static string? ExecutableOf(ProcessInstance? process, List<NetworkConnection> connections) =>
        process?.Filename ?? connections.Select(c => c.Binary).FirstOrDefault(b => b is not null);

    private static List<string> Distinct(IEnumerable<string?> values) =>
        values.Where(v => v is not null).Select(v => v!).Distinct(StringComparer.Ordinal).ToList();
}
