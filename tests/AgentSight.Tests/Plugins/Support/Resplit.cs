using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Tests.Analyzers.Support;

/// <summary>The same traffic with reads and writes cut and joined at other points.</summary>
internal static class Resplit
{
    /// <summary>
    /// Splits each read and write into up to four at random points, and joins runs of consecutive events of one
    /// connection and direction: the bytes of every connection stay the same, only the calls that carried them change.
    /// </summary>
    public static List<AgentEvent> Of(IReadOnlyList<AgentEvent> events, Random random)
    {
        var joined = new List<AgentEvent>();
        foreach (var evt in events)
        {
            if (joined.Count > 0 && random.Next(3) == 0 && joined[^1].Data is TlsPayload last && evt.Data is TlsPayload tls
                && last.ConnectionId == tls.ConnectionId && last.Direction == tls.Direction && tls.Direction != TlsDirection.Handshake
                && joined[^1].Pid == evt.Pid)
            {
                byte[] bytes = [.. last.Bytes.Span, .. tls.Bytes.Span];
                joined[^1] = Copy(evt, tls, bytes);
                continue;
            }
            joined.Add(evt);
        }
        var split = new List<AgentEvent>();
        foreach (var evt in joined)
        {
            if (evt.Data is not TlsPayload { Direction: not TlsDirection.Handshake } tls || tls.Bytes.Length < 2)
            {
                split.Add(evt);
                continue;
            }
            var cuts = Enumerable.Range(0, random.Next(4)).Select(_ => random.Next(1, tls.Bytes.Length)).Distinct().Order().ToList();
            var start = 0;
            foreach (var cut in cuts.Append(tls.Bytes.Length))
            {
                split.Add(Copy(evt, tls, tls.Bytes[start..cut].ToArray()));
                start = cut;
            }
        }
        return split;
    }

    private static AgentEvent Copy(AgentEvent evt, TlsPayload tls, byte[] bytes) =>
        new(evt.Timestamp, evt.Source, evt.Pid, evt.Tid, evt.Comm, new TlsPayload(tls.Direction, bytes, bytes.Length)
        {
            ConnectionId = tls.ConnectionId,
            Uid = tls.Uid,
        });

    /// <summary>An event's fields without the ones that depend on when reads happened.</summary>
    public static string Content(AgentEvent evt)
    {
        var copy = (JsonObject)evt.Fields!.DeepClone();
        Strip(copy);
        return evt.Source + " " + copy.ToJsonString();
    }

    private static void Strip(JsonObject obj)
    {
        foreach (var key in obj.Select(p => p.Key).ToList())
        {
            if (key.EndsWith("_ns", StringComparison.Ordinal) || key.EndsWith("_ms", StringComparison.Ordinal))
            {
                obj.Remove(key);
            }
            else if (obj[key] is JsonObject child)
            {
                Strip(child);
            }
        }
    }
}
