using System.Text.Json.Nodes;

namespace AgentSight.Tests.Capture;

/// <summary>One line of a session file, with the fields tests look at.</summary>
internal sealed class CapturedEvent(JsonObject root)
{
    public JsonObject Root { get; } = root;

    public string Source => (string)Root["source"]!;

    public int Pid => (int)Root["pid"]!;

    public int Tid => (int)Root["tid"]!;

    public string Comm => (string)Root["comm"]!;

    public long Timestamp => (long)Root["timestamp"]!;

    public JsonObject Data => Root["data"]!.AsObject();

    /// <summary><c>ssl</c>: READ/RECV, WRITE/SEND or HANDSHAKE.</summary>
    public string? Function => (string?)Data["function"];

    /// <summary><c>process</c>: EXEC, FORK, EXIT, FILE_OPEN.</summary>
    public string? Kind => (string?)Data["event"];

    public string? Text => Data["data"] is JsonValue value && value.TryGetValue(out string? text) ? text : null;

    public string? Connection => (string?)Data["conn_id"];

    public IReadOnlyList<string> Argv => Data["argv"] is JsonArray argv ? [.. argv.Select(a => (string)a!)] : [];

    public bool IsSsl => Source == "ssl";

    public bool IsWrite => Function == "WRITE/SEND";

    public bool IsRead => Function == "READ/RECV";

    public override string ToString() => Root.ToJsonString()[..Math.Min(300, Root.ToJsonString().Length)];

    public static List<CapturedEvent> ReadSession(string path) =>
        File.Exists(path)
            ? [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => new CapturedEvent(JsonNode.Parse(l)!.AsObject()))]
            : [];
}
