using System.Text.Json.Nodes;
using AgentSight.Contracts;

namespace AgentSight.Tests.Support;

/// <summary>Recordings written for tests.</summary>
public static class Recordings
{
    /// <summary>A recording of <paramref name="count"/> events with data.seq = 0..count-1, <paramref name="spacingNs"/> apart.</summary>
    public static string Numbered(TempFolder folder, int count, long spacingNs = 1_000_000, string name = "numbered.jsonl")
    {
        var path = folder.Combine(name);
        using var file = File.Create(path);
        using var formatter = new EventLineFormatter();
        for (var i = 0; i < count; i++)
        {
            var evt = new AgentEvent(Some.Epoch + (i * spacingNs), "seq", 100 + (i % 3), 100 + (i % 3), "agent",
                new JsonPayload(new JsonObject { ["seq"] = i }));
            file.Write(formatter.Format(evt).Span);
        }
        return path;
    }

    /// <summary>The data.seq values of an NDJSON output, in order; every line must be an event.</summary>
    public static List<int> Sequence(string ndjson) =>
        [.. ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!["data"]!["seq"]!.GetValue<int>())];
}
