using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Tests.Support;

/// <summary>Builders of realistic events for tests.</summary>
public static class Some
{
    /// <summary>2026-11-24T10:00:00Z in Unix epoch nanoseconds.</summary>
    public const long Epoch = 1_795_514_400_000_000_000;

    public static AgentEvent SslEvent(string text, TlsDirection direction = TlsDirection.Read, int pid = 4242, int tid = 4250,
        string comm = "python3", long timestamp = Epoch, ulong connection = 0x5581_0000_1000)
        => SslEvent(Encoding.UTF8.GetBytes(text), direction, pid, tid, comm, timestamp, connection);

    public static AgentEvent SslEvent(byte[] bytes, TlsDirection direction = TlsDirection.Read, int pid = 4242, int tid = 4250,
        string comm = "python3", long timestamp = Epoch, ulong connection = 0x5581_0000_1000)
        => new(timestamp, EventSources.Ssl, pid, tid, comm, new TlsPayload(direction, bytes, bytes.Length)
        {
            ConnectionId = connection,
            Uid = 1000,
            LatencyNs = 214_000,
        });

    public static AgentEvent JsonEvent(string source = "test", JsonObject? fields = null, int pid = 100, string comm = "test",
        long timestamp = Epoch)
        => new(timestamp, source, pid, pid, comm, new JsonPayload(fields ?? new JsonObject { ["n"] = 1 }));

    /// <summary>Numbered events: data.seq = i, for checking that nothing is lost or reordered.</summary>
    public static IEnumerable<AgentEvent> Sequence(int count, string source = "seq")
    {
        for (var i = 0; i < count; i++)
        {
            yield return new AgentEvent(Epoch + i, source, 1, 1, "seq", new JsonPayload(new JsonObject { ["seq"] = i }));
        }
    }
}
