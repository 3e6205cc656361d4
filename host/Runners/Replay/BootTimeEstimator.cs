using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentSight.Host.Runners.Replay;

/// <summary>Finds the newest boot-relative timestamp near the end of a recording, to date its boot.</summary>
/// <remarks>
/// The recorder wrote its last line shortly before the file was last modified, so the file's last-write time minus
/// the newest boot-relative timestamp is a good estimate of when the machine booted. Only the tail is read:
/// recordings can be gigabytes long.
/// </remarks>
internal static class BootTimeEstimator
{
    /// <summary>How much of the end of the file is searched.</summary>
    public const int TailBytes = 64 * 1024;

    /// <summary>The largest boot-relative timestamp in the last <see cref="TailBytes"/> of the file, or null.</summary>
    public static long? NewestBootTimestamp(string path, ReplayTimestampMode mode)
    {
        byte[] tail;
        long start;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            start = Math.Max(0, file.Length - TailBytes);
            file.Position = start;
            tail = new byte[(int)(file.Length - start)];
            file.ReadExactly(tail);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        ReadOnlySpan<byte> rest = tail;
        if (start > 0)
        {
            // The first line is probably cut; start after it.
            var firstEnd = rest.IndexOf((byte)'\n');
            rest = firstEnd < 0 ? [] : rest[(firstEnd + 1)..];
        }

        long? newest = null;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (TryReadBootTimestamp(line, mode, out var timestamp) && (newest is null || timestamp > newest))
            {
                newest = timestamp;
            }
        }
        return newest;
    }

    private static bool TryReadBootTimestamp(ReadOnlySpan<byte> line, ReplayTimestampMode mode, out long timestamp)
    {
        timestamp = 0;
        if (line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            line = line[3..];
        }
        line = line.TrimEnd((byte)'\r');
        if (line.IsEmpty)
        {
            return false;
        }
        try
        {
            return JsonNode.Parse(line, documentOptions: ReplayLineParser.DocumentOptions) is JsonObject root
                && ReplayLineParser.TryReadRawTimestamp(root, out timestamp, out var fakeRunnerLine)
                && ReplayTimestamps.Classify(mode, timestamp, fakeRunnerLine) == TimestampUnit.BootNanoseconds;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
