using System.Diagnostics;
using System.Text.Json.Nodes;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>
/// While the recorded command is idle the capture thread sleeps (ReaderNap), for up to five seconds; the first record
/// after the pause must wake it at once, not at the end of its sleep.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class ReaderNapTests
{
    [Fact]
    public async Task A_file_opened_after_seconds_of_quiet_reaches_the_session_at_once()
    {
        using var recorder = Recorder.Create();
        var session = recorder.Folder.Combine("session.jsonl");
        var markers = Enumerable.Range(1, 3).Select(i => recorder.Folder.Combine($"opened-after-a-pause-{i}.txt")).ToList();
        markers.ForEach(m => File.WriteAllText(m, "x"));
        // Each pause is long enough for the reader to fall asleep; nothing else happens in it (no exec, no exit, no
        // resource sample), so only the open's own record can wake the reader before its five seconds are up.
        var script = "import sys, time\nfor path in sys.argv[1:]:\n    time.sleep(2.5)\n    open(path).close()\ntime.sleep(0.5)\n";
        using var host = recorder.Start(["record", "-o", session, "--no-summary", "--no-server", "--resource-interval", "0", "--",
            "python3", "-c", script, .. markers]);

        var seenAt = new Dictionary<string, (long Timestamp, long SeenNs)>();
        var wait = Stopwatch.StartNew();
        while (seenAt.Count < markers.Count && wait.Elapsed < TimeSpan.FromSeconds(60) && !host.HasExited)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
            foreach (var (path, timestamp) in OpensOf(session, markers))
            {
                seenAt.TryAdd(path, (timestamp, now));
            }
            await Task.Delay(10);
        }
        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        Assert.True(seenAt.Count == markers.Count, $"opens seen live: {seenAt.Count} of {markers.Count}\n{host.Stderr}");
        var latenciesMs = seenAt.Values.Select(s => (s.SeenNs - s.Timestamp) / 1e6).ToList();
        Assert.True(latenciesMs.Max() < 1_000, $"from the open to the session file: {string.Join(", ", latenciesMs.Select(l => $"{l:0} ms"))}");
    }

    /// <summary>The FILE_OPEN events of the markers written so far (a line still being written is skipped).</summary>
    private static IEnumerable<(string Path, long Timestamp)> OpensOf(string session, IReadOnlyList<string> markers)
    {
        if (!File.Exists(session))
        {
            yield break;
        }
        using var reader = new StreamReader(new FileStream(session, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        while (reader.ReadLine() is { } line)
        {
            if (!line.Contains("FILE_OPEN", StringComparison.Ordinal) || !line.EndsWith('}'))
            {
                continue;
            }
            var evt = new CapturedEvent(JsonNode.Parse(line)!.AsObject());
            if (evt.Data["filepath"] is JsonValue value && value.TryGetValue(out string? path) && markers.Contains(path))
            {
                yield return (path, evt.Timestamp);
            }
        }
    }
}
