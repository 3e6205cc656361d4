using AgentSight.Plugins.SessionStore;
using AgentSight.Tests.Plugins;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.SessionStore;

/// <summary>
/// The session store, running as root, against what another user planted in a world-writable folder: SQLite
/// opens its database and the <c>-wal</c>, <c>-shm</c> and <c>-journal</c> files by name, so each name is checked
/// (and created by the store) first. Nothing is written through their links or into their files.
/// </summary>
public sealed class SessionStoreOwnershipTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData("s.db", false)]
    [InlineData("s.db", true)]
    [InlineData("s.db-wal", false)]
    [InlineData("s.db-shm", false)]
    [InlineData("s.db-journal", false)]
    public async Task A_link_planted_at_the_database_or_a_companion_is_refused(string planted, bool overwrite)
    {
        using var files = PlantedFiles.Create();
        var link = files.Link(planted);
        var sink = Sink(files.In("s.db"), overwrite);

        var error = await Assert.ThrowsAnyAsync<IOException>(() => sink.StartAsync(None).AsTask());

        Assert.Contains(link, error.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        await sink.StopAsync(None);
        Assert.True(files.VictimUntouched);
    }

    [Theory]
    [InlineData("s.db-wal")]
    [InlineData("s.db-journal")]
    [InlineData("s.db-shm")]
    public async Task A_companion_file_of_another_user_is_refused_so_no_traffic_goes_into_it(string planted)
    {
        using var files = PlantedFiles.Create();
        var foreign = files.ForeignFile(planted);
        var sink = Sink(files.In("s.db"));

        var error = await Assert.ThrowsAnyAsync<IOException>(() => sink.StartAsync(None).AsTask());

        Assert.Contains(foreign, error.Message, StringComparison.Ordinal);
        Assert.Contains("another user", error.Message, StringComparison.Ordinal);
        await sink.StopAsync(None);
        Assert.Equal(0, new FileInfo(foreign).Length);
    }

    [Fact]
    public async Task A_hard_link_at_a_companion_name_is_refused()
    {
        using var files = PlantedFiles.Create();
        files.HardLink("s.db-journal");
        var sink = Sink(files.In("s.db"));

        var error = await Assert.ThrowsAnyAsync<IOException>(() => sink.StartAsync(None).AsTask());

        Assert.Contains("hard links", error.Message, StringComparison.Ordinal);
        await sink.StopAsync(None);
        Assert.True(files.VictimUntouched);
    }

    [Fact]
    public async Task A_folder_every_user_can_write_without_the_sticky_bit_is_refused()
    {
        using var files = PlantedFiles.Create(sticky: false);
        var sink = Sink(files.In("s.db"));

        var error = await Assert.ThrowsAnyAsync<IOException>(() => sink.StartAsync(None).AsTask());

        Assert.Contains("sticky", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(files.In("s.db")));
    }

    [Fact]
    public async Task A_session_in_a_sticky_folder_like_tmp_is_stored_for_its_owner_only()
    {
        using var files = PlantedFiles.Create();
        var db = files.In("s.db");
        var sink = Sink(db);
        await sink.StartAsync(None);
        sink.Write(Some.JsonEvent());
        await sink.StopAsync(None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(db));
        Assert.Equal([db], Directory.GetFiles(files.Shared));
    }

    private static SessionStoreSink Sink(string path, bool overwrite = false) =>
        new(new SessionStoreConfig { Path = path, Overwrite = overwrite }, new TestStageContext(), TimeProvider.System);
}
