using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Plugins.File;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Plugins;

/// <summary>
/// The file sink, running as root, against what another user planted in a world-writable folder: it never writes
/// through their links or into their files, and says why in one line.
/// </summary>
public sealed class FileSinkOwnershipTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_link_planted_by_another_user_is_never_followed(bool append)
    {
        using var planted = PlantedFiles.Create();
        var path = planted.Link("events.jsonl");
        var sink = Sink(path, append);

        var error = await Assert.ThrowsAnyAsync<IOException>(() => sink.StartAsync(None).AsTask());

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Contains(planted.Victim, error.Message, StringComparison.Ordinal);
        await sink.StopAsync(None);
        Assert.True(planted.VictimUntouched);
    }

    [Fact]
    public async Task A_folder_every_user_can_write_without_the_sticky_bit_is_refused()
    {
        using var planted = PlantedFiles.Create(sticky: false);
        var path = planted.In("events.jsonl");
        var sink = Sink(path);

        var error = await Assert.ThrowsAnyAsync<IOException>(() => sink.StartAsync(None).AsTask());

        Assert.Contains(planted.Shared, error.Message, StringComparison.Ordinal);
        Assert.Contains("sticky", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_file_of_another_user_in_a_sticky_folder_is_refused()
    {
        using var planted = PlantedFiles.Create();
        var path = planted.ForeignFile("events.jsonl");
        var sink = Sink(path);

        var error = await Assert.ThrowsAnyAsync<IOException>(() => sink.StartAsync(None).AsTask());

        Assert.Contains("another user", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public async Task A_hard_link_to_another_file_is_refused()
    {
        using var planted = PlantedFiles.Create();
        var path = planted.HardLink("events.jsonl");
        var sink = Sink(path);

        var error = await Assert.ThrowsAnyAsync<IOException>(() => sink.StartAsync(None).AsTask());

        Assert.Contains("hard links", error.Message, StringComparison.Ordinal);
        Assert.True(planted.VictimUntouched);
    }

    [Fact]
    public async Task A_new_file_in_a_sticky_folder_like_tmp_is_written()
    {
        using var planted = PlantedFiles.Create();
        var path = planted.In("events.jsonl");
        var sink = Sink(path);
        await sink.StartAsync(None);
        sink.Write(Some.JsonEvent());
        await sink.StopAsync(None);

        Assert.Single(File.ReadAllLines(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task A_link_of_root_own_is_followed_so_dev_stdout_and_the_like_keep_working()
    {
        using var folder = TempFolder.ForCaller();
        var target = folder.Combine("target.jsonl");
        var link = folder.Combine("events.jsonl");
        File.CreateSymbolicLink(link, target);
        var sink = Sink(link);
        await sink.StartAsync(None);
        sink.Write(Some.JsonEvent());
        await sink.StopAsync(None);

        Assert.Single(File.ReadAllLines(target));
        var devNull = Sink("/dev/null");
        await devNull.StartAsync(None);
        devNull.Write(Some.JsonEvent());
        await devNull.StopAsync(None);
    }

    [Fact]
    public async Task Rotation_never_writes_through_a_link_planted_at_a_backup_name()
    {
        using var planted = PlantedFiles.Create();
        var path = planted.In("events.jsonl");
        planted.Link("events.jsonl.1");
        var context = new TestStageContext();
        var sink = new FileSink(new FileSinkConfig { Path = path, MaxSizeMb = 0.0005, MaxFiles = 2 }, context, TimeProvider.System);
        await sink.StartAsync(None);
        for (var i = 0; i < 40; i++)
        {
            sink.Write(Some.JsonEvent("seq", new JsonObject { ["seq"] = i }));
            await sink.FlushAsync(None);
        }
        await sink.StopAsync(None);

        Assert.True(planted.VictimUntouched);
        Assert.True(context.CounterValue(FileSink.RotationsCounter) > 0);
    }

    private static FileSink Sink(string path, bool append = true) =>
        new(new FileSinkConfig { Path = path, Append = append }, new TestStageContext(), TimeProvider.System);
}
