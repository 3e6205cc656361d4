using AgentSight.Contracts;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Mcp;

/// <summary>
/// Turns a tee's recording into the <c>stdio</c> events the capture makes of the same traffic: each write of the
/// client on the server's stdin and of the server on its stdout (socket pairs, as Node's child_process gives them),
/// followed by the other end's read of the same bytes.
/// </summary>
internal sealed record StdioWire(int ClientPid, int ServerPid, ulong ToServer, ulong ToClient, string ClientComm = "node", string ServerComm = "node")
{
    public List<AgentEvent> Events(IReadOnlyList<TeeRead> reads, bool withReads = true, long epoch = Some.Epoch)
    {
        var events = new List<AgentEvent>();
        if (reads.Count == 0)
        {
            return events;
        }
        var zero = reads[0].MonotonicNs;
        foreach (var read in reads)
        {
            var at = epoch + (read.MonotonicNs - zero);
            var (writer, writerComm, writerFd, reader, readerComm, readerFd, stream) = read.FromClient
                ? (ClientPid, ClientComm, 19, ServerPid, ServerComm, 0, ToServer)
                : (ServerPid, ServerComm, 1, ClientPid, ClientComm, 21, ToClient);
            events.Add(new AgentEvent(at, EventSources.Stdio, writer, writer, writerComm,
                new StdioPayload(IoDirection.Write, writerFd, read.Bytes, read.Bytes.Length) { Kind = "unix", StreamId = stream, PeerPid = reader }));
            if (withReads)
            {
                events.Add(new AgentEvent(at + 1_000, EventSources.Stdio, reader, reader, readerComm,
                    new StdioPayload(IoDirection.Read, readerFd, read.Bytes, read.Bytes.Length) { Kind = "unix", StreamId = stream, PeerPid = writer }));
            }
        }
        return events;
    }

    /// <summary>The same bytes in other writes: each direction's bytes joined and cut at random places (several messages in one write, one message over several).</summary>
    public static List<TeeRead> Resplit(IReadOnlyList<TeeRead> reads, int seed)
    {
        var random = new Random(seed);
        var result = new List<TeeRead>();
        var i = 0;
        while (i < reads.Count)
        {
            // A run of reads in one direction is one byte sequence: rejoin it, then cut it anew.
            var j = i;
            var bytes = new List<byte>();
            while (j < reads.Count && reads[j].FromClient == reads[i].FromClient && (j == i || random.Next(3) > 0))
            {
                bytes.AddRange(reads[j].Bytes);
                j++;
            }
            var all = bytes.ToArray();
            var at = 0;
            var t = reads[i].MonotonicNs;
            while (at < all.Length)
            {
                var size = Math.Min(all.Length - at, 1 + random.Next(Math.Max(1, all.Length / 3)));
                result.Add(reads[i] with { MonotonicNs = t++, Bytes = all[at..(at + size)] });
                at += size;
            }
            i = j;
        }
        return result;
    }
}
