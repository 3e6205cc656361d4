using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.File;
using AgentSight.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AgentSight.Tests.Plugins;

/// <summary>
/// The file sink on a real full disk (a small tmpfs mounted by the test): it never leaves half a line, retries on
/// a bounded schedule instead of failing at once, holds what it cannot write up to a bound (then counts what it
/// drops), and writes everything held as soon as space comes back.
/// </summary>
public sealed class FileSinkFailureTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_full_disk_leaves_whole_lines_retries_with_backoff_and_writes_everything_when_space_returns()
    {
        using var disk = SmallFilesystem.Mount(256);
        var path = disk.Combine("events.jsonl");
        var time = new FakeTimeProvider();
        var logger = new RecordingLogger();
        var context = new TestStageContext { Logger = logger };
        var sink = new FileSink(new FileSinkConfig { Path = path }, context, time);
        await sink.StartAsync(None);
        var events = Enumerable.Range(0, 600).Select(i => Padded(i, 150)).ToList();
        foreach (var evt in events.Take(20))
        {
            sink.Write(evt);
        }
        await sink.FlushAsync(None);
        disk.Fill();

        // A full 64 KiB buffer is written out in Write, and what is left in FlushAsync: neither may fail.
        foreach (var evt in events.Skip(20))
        {
            sink.Write(evt);
        }
        await sink.FlushAsync(None);

        var written = ReadLines(path);
        Assert.InRange(written.Length, 20, events.Count - 1);
        Assert.Equal(events.Take(written.Length).Select(Line), written);
        Assert.Equal(0, context.CounterValue("write_retries"));

        // 50 ms, then 100, 200, … up to 5 s between attempts: a few a second at most, never one per event.
        time.Advance(TimeSpan.FromMilliseconds(49));
        Assert.Equal(0, context.CounterValue("write_retries"));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, context.CounterValue("write_retries"));
        time.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Equal(1, context.CounterValue("write_retries"));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, context.CounterValue("write_retries"));
        for (var i = 0; i < 600; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
        }
        // 50 ms … 3.2 s is 7 attempts in 6.35 s, then one every 5 s.
        Assert.InRange(context.CounterValue("write_retries"), 15, 20);
        Assert.Equal(events.Take(ReadLines(path).Length).Select(Line), ReadLines(path));
        await sink.FlushAsync(None);
        Assert.Single(logger.At(LogLevel.Error), e => e.Message.Contains("retrying", StringComparison.Ordinal));

        disk.Free();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(events.Select(Line), ReadLines(path));
        Assert.Equal(0, context.CounterValue("events_dropped"));
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("again", StringComparison.Ordinal));
        var later = Padded(1000, 0);
        sink.Write(later);
        await sink.StopAsync(None);
        Assert.Equal([.. events.Select(Line), Line(later)], ReadLines(path));
    }

    [Fact]
    public async Task Events_beyond_the_held_bound_are_dropped_and_counted_and_the_sink_says_so_at_stop()
    {
        using var disk = SmallFilesystem.Mount(256);
        var path = disk.Combine("events.jsonl");
        var time = new FakeTimeProvider();
        var context = new TestStageContext();
        var sink = new FileSink(ManifestJson.Bind<FileSinkConfig>($$"""{"path":"{{path}}","max_held_mb":0.02}"""), context, time);
        await sink.StartAsync(None);
        var events = Enumerable.Range(0, 1000).Select(i => Padded(i, 100)).ToList();
        sink.Write(events[0]);
        await sink.FlushAsync(None);
        disk.Fill();

        foreach (var evt in events.Skip(1))
        {
            sink.Write(evt);
        }
        await sink.FlushAsync(None);
        // The block being filled when the disk filled up is held whole (64 KiB); past it, the bound holds.
        var dropped = context.CounterValue("events_dropped");
        Assert.InRange(dropped, 500, 999);

        disk.Free();
        time.Advance(TimeSpan.FromSeconds(1));

        // What was held went out, in order: the events up to the bound, then nothing of what was dropped.
        var written = ReadLines(path);
        Assert.Equal(events.Count - dropped, written.Length);
        Assert.Equal(events.Take(written.Length).Select(Line), written);
        var error = await Assert.ThrowsAsync<IOException>(() => sink.StopAsync(None).AsTask());
        Assert.Contains($"{dropped} events", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_on_a_disk_still_full_leaves_whole_lines_and_counts_and_reports_what_was_not_written()
    {
        using var disk = SmallFilesystem.Mount(256);
        var path = disk.Combine("events.jsonl");
        var context = new TestStageContext();
        var sink = new FileSink(new FileSinkConfig { Path = path }, context, new FakeTimeProvider());
        await sink.StartAsync(None);
        var events = Enumerable.Range(0, 300).Select(i => Padded(i, 150)).ToList();
        sink.Write(events[0]);
        await sink.FlushAsync(None);
        disk.Fill();
        foreach (var evt in events.Skip(1))
        {
            sink.Write(evt);
        }

        var error = await Assert.ThrowsAsync<IOException>(() => sink.StopAsync(None).AsTask());

        var written = ReadLines(path);
        Assert.Equal(events.Take(written.Length).Select(Line), written);
        Assert.Equal(events.Count - written.Length, context.CounterValue("events_dropped"));
        Assert.Contains($"{events.Count - written.Length} events", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotation_waits_out_a_full_disk_and_every_file_still_keeps_to_the_limit()
    {
        using var disk = SmallFilesystem.Mount(512);
        var path = disk.Combine("events.jsonl");
        var time = new FakeTimeProvider();
        var context = new TestStageContext();
        const int limit = 20_000;
        var sink = new FileSink(new FileSinkConfig { Path = path, MaxSizeMb = limit / 1e6, MaxFiles = 100 }, context, time);
        await sink.StartAsync(None);
        var events = Enumerable.Range(0, 700).Select(i => Padded(i, 150)).ToList();
        sink.Write(events[0]);
        await sink.FlushAsync(None);
        disk.Fill();
        foreach (var evt in events.Skip(1))
        {
            sink.Write(evt);
        }
        await sink.FlushAsync(None);

        disk.Free();
        time.Advance(TimeSpan.FromSeconds(1));
        await sink.StopAsync(None);

        var files = Enumerable.Range(1, 100).Select(i => $"{path}.{i}").Where(File.Exists).Reverse().Append(path).ToList();
        Assert.Equal(events.Select(Line), files.SelectMany(ReadLines));
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= limit, $"{f} has {new FileInfo(f).Length} bytes, over {limit}"));
        Assert.Equal(0, context.CounterValue("events_dropped"));
    }

    [Fact]
    public async Task A_device_that_is_always_full_fails_the_sink_at_stop_and_not_at_every_event()
    {
        // /dev/full accepts the open and fails every write with ENOSPC, like a full disk that never frees up.
        var context = new TestStageContext();
        var time = new FakeTimeProvider();
        var sink = new FileSink(new FileSinkConfig { Path = "/dev/full" }, context, time);
        await sink.StartAsync(None);
        for (var i = 0; i < 100; i++)
        {
            sink.Write(Padded(i, 0));
            await sink.FlushAsync(None);
        }
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.InRange(context.CounterValue("write_retries"), 1, 6);
        var error = await Assert.ThrowsAsync<IOException>(() => sink.StopAsync(None).AsTask());
        Assert.Contains("100 events", error.Message, StringComparison.Ordinal);
        Assert.Equal(100, context.CounterValue("events_dropped"));
    }

    private static string Line(AgentEvent evt) => AgentEventJson.ToJson(evt);

    private static AgentEvent Padded(int seq, int padding) =>
        Some.JsonEvent("seq", new JsonObject { ["seq"] = seq, ["pad"] = new string('p', padding) });

    /// <summary>The file's lines; checks that it ends with a line feed (no line was left half written).</summary>
    private static string[] ReadLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        if (text.Length == 0)
        {
            return [];
        }
        Assert.True(text.EndsWith('\n'), $"{path} ends with half a line: …{text[^Math.Min(80, text.Length)..]}");
        return text[..^1].Split('\n');
    }
}
