using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.File;
using AgentSight.Tests.Support;
using CsCheck;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AgentSight.Tests.Plugins;

public sealed class FileSinkTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // ---- rotation ----

    [Fact]
    public async Task Rotation_never_splits_loses_or_reorders_a_line()
    {
        var gen = Gen.Select(Gen.Int[0, 1500].Array[1, 80], Gen.Int[200, 2000]);
        await gen.SampleAsync(async (paddings, limit) =>
        {
            using var folder = TempFolder.ForCaller();
            var path = folder.Combine("events.jsonl");
            var context = new TestStageContext();
            var sink = Sink(new FileSinkConfig { Path = path, MaxSizeMb = limit / 1e6, MaxFiles = FileSinkConfig.MaxBackups }, context);

            var written = await WriteAll(sink, paddings);

            var files = FilesOldestFirst(path);
            Assert.Equal(written, files.SelectMany(ReadLines));
            foreach (var file in files)
            {
                var size = new FileInfo(file).Length;
                Assert.True(size <= limit || ReadLines(file).Length == 1, $"{file} has {size} bytes in several lines, over the limit of {limit}");
                Assert.True(size > 0 || file == path, $"{file} is an empty backup");
            }
            Assert.Equal(files.Count - 1, context.CounterValue(FileSink.RotationsCounter));
        }, iter: 40);
    }

    [Fact]
    public async Task Rotation_keeps_at_most_max_files_backups_holding_the_newest_events()
    {
        var gen = Gen.Select(Gen.Int[0, 600].Array[1, 120], Gen.Int[150, 1200], Gen.Int[1, 4]);
        await gen.SampleAsync(async (paddings, limit, maxFiles) =>
        {
            using var folder = TempFolder.ForCaller();
            var path = folder.Combine("events.jsonl");
            var context = new TestStageContext();
            var sink = Sink(new FileSinkConfig { Path = path, MaxSizeMb = limit / 1e6, MaxFiles = maxFiles }, context);

            var written = await WriteAll(sink, paddings);

            var files = FilesOldestFirst(path);
            var kept = files.SelectMany(ReadLines).ToList();
            Assert.InRange(files.Count - 1, 0, maxFiles);
            Assert.False(System.IO.File.Exists($"{path}.{maxFiles + 1}"));
            Assert.Equal(written.TakeLast(kept.Count), kept);
            var rotations = context.CounterValue(FileSink.RotationsCounter);
            Assert.Equal(Math.Min(rotations, maxFiles), files.Count - 1);
        }, iter: 40);
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_goes_alone_into_a_fresh_file()
    {
        using var folder = TempFolder.ForCaller();
        var path = folder.Combine("events.jsonl");
        var small1 = Padded(1, 0);
        var big = Padded(2, 500);
        var small2 = Padded(3, 0);
        var sink = Sink(new FileSinkConfig { Path = path, MaxSizeMb = 0.0002 });
        await sink.StartAsync(None);

        sink.Write(small1);
        sink.Write(big);
        sink.Write(small2);
        await sink.StopAsync(None);

        Assert.Equal([Line(small1)], ReadLines(path + ".2"));
        Assert.Equal([Line(big)], ReadLines(path + ".1"));
        Assert.Equal([Line(small2)], ReadLines(path));
    }

    [Fact]
    public async Task An_existing_file_counts_towards_the_limit_when_appending()
    {
        using var folder = TempFolder.ForCaller();
        var path = folder.Combine("events.jsonl");
        var old = new string('o', 89);
        await System.IO.File.WriteAllTextAsync(path, old + "\n");
        var evt = Padded(1, 0);
        var context = new TestStageContext();
        var sink = Sink(new FileSinkConfig { Path = path, MaxSizeMb = 0.0001 }, context);
        await sink.StartAsync(None);

        sink.Write(evt);
        await sink.StopAsync(None);

        Assert.Equal([old], ReadLines(path + ".1"));
        Assert.Equal([Line(evt)], ReadLines(path));
        Assert.Equal(1, context.CounterValue(FileSink.RotationsCounter));
    }

    [Fact]
    public async Task A_failed_rename_loses_nothing_and_is_counted_and_retried_later()
    {
        using var folder = TempFolder.ForCaller();
        var path = folder.Combine("events.jsonl");
        // A directory where the newest backup should go: the rename cannot happen.
        Directory.CreateDirectory(path + ".1");
        var logger = new RecordingLogger();
        var context = new TestStageContext { Logger = logger };
        var sink = Sink(new FileSinkConfig { Path = path, MaxSizeMb = 0.0005 }, context);
        await sink.StartAsync(None);
        var events = Enumerable.Range(0, 40).Select(i => Padded(i, 0)).ToList();

        foreach (var evt in events.Take(30))
        {
            sink.Write(evt);
        }
        await sink.FlushAsync(None);

        Assert.Equal(events.Take(30).Select(Line), ReadLines(path));
        var failures = context.CounterValue(FileSink.RotationFailuresCounter);
        Assert.InRange(failures, 1, 10);
        Assert.Equal(failures, logger.At(LogLevel.Error).Count());
        Assert.Contains(path, logger.At(LogLevel.Error).First().Message, StringComparison.Ordinal);
        Assert.Equal(0, context.CounterValue(FileSink.RotationsCounter));

        Directory.Delete(path + ".1");
        foreach (var evt in events.Skip(30))
        {
            sink.Write(evt);
        }
        await sink.StopAsync(None);

        Assert.Equal(events.Select(Line), FilesOldestFirst(path).SelectMany(ReadLines));
        Assert.True(context.CounterValue(FileSink.RotationsCounter) >= 1);
    }

    // ---- append or truncate ----

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Append_keeps_the_existing_lines_and_truncate_drops_them(bool append)
    {
        using var folder = TempFolder.ForCaller();
        var path = folder.Combine("events.jsonl");
        await System.IO.File.WriteAllTextAsync(path, "{\"earlier\":1}\n{\"earlier\":2}\n");
        var evt = Some.JsonEvent();
        var sink = Sink(new FileSinkConfig { Path = path, Append = append });
        await sink.StartAsync(None);

        sink.Write(evt);
        await sink.StopAsync(None);

        string[] expected = append ? ["{\"earlier\":1}", "{\"earlier\":2}", Line(evt)] : [Line(evt)];
        Assert.Equal(expected, ReadLines(path));
    }

    [Fact]
    public async Task Appending_to_a_file_cut_mid_line_starts_the_first_event_on_a_new_line()
    {
        using var folder = TempFolder.ForCaller();
        var path = folder.Combine("events.jsonl");
        await System.IO.File.WriteAllTextAsync(path, "{\"complete\":1}\n{\"cut\":");
        var logger = new RecordingLogger();
        var evt = Some.JsonEvent();
        var sink = Sink(new FileSinkConfig { Path = path }, new TestStageContext { Logger = logger });
        await sink.StartAsync(None);

        sink.Write(evt);
        await sink.StopAsync(None);

        Assert.Equal(["{\"complete\":1}", "{\"cut\":", Line(evt)], ReadLines(path));
        Assert.Single(logger.At(LogLevel.Warning));
    }

    // ---- flush policies ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Drain_writes_the_lines_out_when_the_host_flushes(bool fsync)
    {
        using var folder = TempFolder.ForCaller();
        var path = folder.Combine("events.jsonl");
        var sink = Sink(new FileSinkConfig { Path = path, Flush = FileFlushPolicy.Drain, Fsync = fsync });
        await sink.StartAsync(None);
        var events = Some.Sequence(3).ToList();

        foreach (var evt in events)
        {
            sink.Write(evt);
        }
        Assert.Empty(ReadLines(path));
        await sink.FlushAsync(None);

        Assert.Equal(events.Select(Line), ReadLines(path));
        await sink.StopAsync(None);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_event_writes_each_line_out_at_once(bool fsync)
    {
        using var folder = TempFolder.ForCaller();
        var path = folder.Combine("events.jsonl");
        var sink = Sink(new FileSinkConfig { Path = path, Flush = FileFlushPolicy.EveryEvent, Fsync = fsync });
        await sink.StartAsync(None);
        var first = Padded(1, 0);
        var second = Padded(2, 0);

        sink.Write(first);
        Assert.Equal([Line(first)], ReadLines(path));
        sink.Write(second);
        Assert.Equal([Line(first), Line(second)], ReadLines(path));

        await sink.StopAsync(None);
    }

    [Fact]
    public async Task Interval_writes_out_once_per_interval_and_at_stop()
    {
        using var folder = TempFolder.ForCaller();
        var path = folder.Combine("events.jsonl");
        var time = new FakeTimeProvider();
        var sink = Sink(new FileSinkConfig { Path = path, Flush = FileFlushPolicy.Interval, FlushIntervalMs = 500 }, time: time);
        await sink.StartAsync(None);
        var e1 = Padded(1, 0);
        var e2 = Padded(2, 0);
        var e3 = Padded(3, 0);

        sink.Write(e1);
        await sink.FlushAsync(None);
        Assert.Empty(ReadLines(path));
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Empty(ReadLines(path));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([Line(e1)], ReadLines(path));

        sink.Write(e2);
        time.Advance(TimeSpan.FromMilliseconds(250));
        await sink.FlushAsync(None);
        Assert.Equal([Line(e1)], ReadLines(path));
        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal([Line(e1), Line(e2)], ReadLines(path));

        sink.Write(e3);
        await sink.StopAsync(None);
        Assert.Equal([Line(e1), Line(e2), Line(e3)], ReadLines(path));
    }

    [Fact]
    public async Task A_write_error_is_retried_rather_than_thrown_and_reaches_the_host_at_stop()
    {
        // /dev/full accepts the open and fails every write with ENOSPC, like a full disk (FileSinkFailureTests has a real one).
        var sink = Sink(new FileSinkConfig { Path = "/dev/full" }, time: new FakeTimeProvider());
        await sink.StartAsync(None);
        sink.Write(Some.JsonEvent());
        await sink.FlushAsync(None);

        var error = await Assert.ThrowsAsync<IOException>(() => sink.StopAsync(None).AsTask());
        Assert.Contains("1 events", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_error_on_the_interval_timer_is_retried_too_and_reaches_the_host_at_stop()
    {
        var time = new FakeTimeProvider();
        var context = new TestStageContext();
        var sink = Sink(new FileSinkConfig { Path = "/dev/full", Flush = FileFlushPolicy.Interval }, context, time);
        await sink.StartAsync(None);
        sink.Write(Some.JsonEvent());

        time.Advance(TimeSpan.FromSeconds(1));
        sink.Write(Some.JsonEvent());
        await sink.FlushAsync(None);
        time.Advance(TimeSpan.FromMilliseconds(50));

        Assert.Equal(1, context.CounterValue(FileSink.WriteRetriesCounter));
        var error = await Assert.ThrowsAsync<IOException>(() => sink.StopAsync(None).AsTask());
        Assert.Contains("2 events", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, context.CounterValue(FileSink.EventsDroppedCounter));
    }

    // ---- start and stop ----

    [Fact]
    public async Task Creating_the_sink_touches_nothing_and_start_creates_the_parent_directories()
    {
        using var folder = TempFolder.ForCaller();
        var path = folder.Combine("a", "b", "events.jsonl");
        var factory = new FileSinkFactory();

        var sink = factory.Create(new FileSinkConfig { Path = path }, new TestStageContext());
        Assert.False(Directory.Exists(folder.Combine("a")));

        await sink.StartAsync(None);
        Assert.True(System.IO.File.Exists(path));
        await sink.StopAsync(None);
    }

    [Fact]
    public async Task A_relative_path_is_resolved_against_the_current_directory()
    {
        using var folder = TempFolder.ForCaller();
        var absolute = folder.Combine("rel", "events.jsonl");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, absolute);
        Assert.False(Path.IsPathRooted(relative));
        var sink = Sink(new FileSinkConfig { Path = relative });

        await sink.StartAsync(None);
        sink.Write(Some.JsonEvent());
        await sink.StopAsync(None);

        Assert.Single(ReadLines(absolute));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_new_file_is_readable_by_its_owner_only()
    {
        using var folder = TempFolder.ForCaller();
        var path = folder.Combine("events.jsonl");
        var sink = Sink(new FileSinkConfig { Path = path, MaxSizeMb = 0.0001 });
        await sink.StartAsync(None);
        sink.Write(Padded(1, 0));
        sink.Write(Padded(2, 0));
        await sink.StopAsync(None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(path + ".1"));
    }

    [Theory]
    [InlineData("directory", "it is a directory")]
    [InlineData("parent is a file", "is a file, not a directory")]
    public async Task Start_on_an_impossible_path_fails_naming_the_path_and_the_reason(string kind, string reason)
    {
        using var folder = TempFolder.ForCaller();
        string path;
        if (kind == "directory")
        {
            path = folder.Combine("events.jsonl");
            Directory.CreateDirectory(path);
        }
        else
        {
            await System.IO.File.WriteAllTextAsync(folder.Combine("plain"), "x");
            path = folder.Combine("plain", "logs", "events.jsonl");
        }
        var sink = Sink(new FileSinkConfig { Path = path });

        var error = await Assert.ThrowsAsync<IOException>(() => sink.StartAsync(None).AsTask());

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        await sink.StopAsync(None);
    }

    [Fact]
    public async Task Stop_without_start_and_stop_twice_are_safe()
    {
        using var folder = TempFolder.ForCaller();
        var path = folder.Combine("events.jsonl");
        var never = Sink(new FileSinkConfig { Path = path });
        await never.StopAsync(None);
        await never.StopAsync(None);
        Assert.False(System.IO.File.Exists(path));

        var sink = Sink(new FileSinkConfig { Path = path });
        await sink.StartAsync(None);
        sink.Write(Some.JsonEvent());
        await sink.StopAsync(None);
        await sink.StopAsync(None);
        Assert.Single(ReadLines(path));
        Assert.Throws<InvalidOperationException>(() => sink.Write(Some.JsonEvent()));
    }

    [Fact]
    public void The_factory_describes_a_sink_whose_default_config_is_valid()
    {
        var factory = new FileSinkFactory();

        Assert.Equal(PluginKind.Sink, factory.Kind);
        Assert.Equal(typeof(FileSinkConfig), factory.ConfigType);
        Assert.False(string.IsNullOrWhiteSpace(factory.Description));
        Assert.Empty(factory.CreateDefaultConfig().Validate());
    }

    // ---- config ----

    [Fact]
    public void Config_binds_from_the_manifest_keys()
    {
        var config = ManifestJson.Bind<FileSinkConfig>("""
            {"path":"/var/log/agentsight/events.jsonl","append":false,"max_size_mb":10.5,"max_files":3,
             "flush":"every_event","flush_interval_ms":250,"fsync":true,"max_held_mb":8}
            """);

        Assert.Equal(8, config.MaxHeldMb);
        Assert.Equal(8_000_000, config.MaxHeldBytes);

        Assert.Equal("/var/log/agentsight/events.jsonl", config.Path);
        Assert.False(config.Append);
        Assert.Equal(10.5, config.MaxSizeMb);
        Assert.Equal(10_500_000, config.MaxSizeBytes);
        Assert.Equal(3, config.MaxFiles);
        Assert.Equal(FileFlushPolicy.EveryEvent, config.Flush);
        Assert.Equal(250, config.FlushIntervalMs);
        Assert.True(config.Fsync);
        Assert.Equal(FileFlushPolicy.Interval, ManifestJson.Bind<FileSinkConfig>("""{"flush":"interval"}""").Flush);
    }

    [Fact]
    public void Config_defaults_append_to_events_jsonl_without_rotation()
    {
        var config = ManifestJson.Bind<FileSinkConfig>("{}");

        Assert.Equal("events.jsonl", config.Path);
        Assert.True(config.Append);
        Assert.Equal(0, config.MaxSizeBytes);
        Assert.Equal(5, config.MaxFiles);
        Assert.Equal(FileFlushPolicy.Drain, config.Flush);
        Assert.Equal(1000, config.FlushIntervalMs);
        Assert.False(config.Fsync);
        Assert.Equal(64, config.MaxHeldMb);
    }

    [Theory]
    [InlineData("empty path", "path", "\"\"")]
    [InlineData("directory path", "path", "logs/")]
    [InlineData("negative size", "max_size_mb", "-1")]
    [InlineData("NaN size", "max_size_mb", "NaN")]
    [InlineData("huge size", "max_size_mb", "1E+20")]
    [InlineData("no backups", "max_files", "0")]
    [InlineData("too many backups", "max_files", "10001")]
    [InlineData("unknown flush", "flush", "7")]
    [InlineData("zero interval", "flush_interval_ms", "0")]
    [InlineData("nothing held", "max_held_mb", "0")]
    public void Validation_names_the_key_and_the_value_given(string problem, string key, string given)
    {
        var config = problem switch
        {
            "empty path" => new FileSinkConfig { Path = "" },
            "directory path" => new FileSinkConfig { Path = "logs/" },
            "negative size" => new FileSinkConfig { MaxSizeMb = -1 },
            "NaN size" => new FileSinkConfig { MaxSizeMb = double.NaN },
            "huge size" => new FileSinkConfig { MaxSizeMb = 1e20 },
            "no backups" => new FileSinkConfig { MaxFiles = 0 },
            "too many backups" => new FileSinkConfig { MaxFiles = 10_001 },
            "unknown flush" => new FileSinkConfig { Flush = (FileFlushPolicy)7 },
            "nothing held" => new FileSinkConfig { MaxHeldMb = 0 },
            _ => new FileSinkConfig { FlushIntervalMs = 0 },
        };

        var error = Assert.Single(config.Validate());

        Assert.Equal(key, error.Key);
        Assert.Contains(given, error.Message, StringComparison.Ordinal);
        Assert.Contains("must", error.Message, StringComparison.Ordinal);
    }

    // ---- helpers ----

    private static FileSink Sink(FileSinkConfig config, TestStageContext? context = null, TimeProvider? time = null) =>
        new(config, context ?? new TestStageContext(), time ?? TimeProvider.System);

    private static string Line(AgentEvent evt) => AgentEventJson.ToJson(evt);

    /// <summary>An event whose line is about 60 bytes plus <paramref name="padding"/>.</summary>
    private static AgentEvent Padded(int seq, int padding) =>
        Some.JsonEvent("seq", new JsonObject { ["seq"] = seq, ["pad"] = new string('p', padding) });

    /// <summary>Writes one event per padding, flushing now and then as the host does, and stops; returns the lines.</summary>
    private static async Task<List<string>> WriteAll(FileSink sink, int[] paddings)
    {
        await sink.StartAsync(None);
        var written = new List<string>();
        for (var i = 0; i < paddings.Length; i++)
        {
            var evt = Padded(i, paddings[i]);
            written.Add(Line(evt));
            sink.Write(evt);
            if (i % 7 == 3)
            {
                await sink.FlushAsync(None);
            }
        }
        await sink.FlushAsync(None);
        await sink.StopAsync(None);
        return written;
    }

    /// <summary><c>path.N … path.1, path</c>: the files in the order their events were written. Backups have no gaps.</summary>
    private static List<string> FilesOldestFirst(string path)
    {
        var backups = new List<string>();
        for (var i = 1; System.IO.File.Exists($"{path}.{i}"); i++)
        {
            backups.Add($"{path}.{i}");
        }
        // Every file named path.<anything> must be one of the numbered backups found above.
        var others = Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(path)!)
            .Where(p => p.StartsWith(path + ".", StringComparison.Ordinal));
        Assert.Equal(backups.Order(StringComparer.Ordinal), others.Order(StringComparer.Ordinal));
        backups.Reverse();
        return [.. backups, path];
    }

    /// <summary>The file's lines, read while the sink may still hold it open; checks that it ends with a line feed.</summary>
    private static string[] ReadLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        if (text.Length == 0)
        {
            return [];
        }
        Assert.True(text.EndsWith('\n'), $"{path} does not end with a line feed");
        return text[..^1].Split('\n');
    }
}
