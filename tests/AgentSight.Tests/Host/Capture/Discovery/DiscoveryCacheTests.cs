using AgentSight.Host.Capture.Discovery;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture.Discovery;

/// <summary>The discovery cache gives back what was stored, and refuses entries someone else could have written.</summary>
public sealed class DiscoveryCacheTests
{
    private static FileDiscovery Sample(string path) => new(path, "abc123", "Bun 1.4.6",
        [new TlsStack("BoringSSL", null, "error sites", [new ProbeSite("SSL_read", ProbeKind.SslRead, 0x1000), new ProbeSite("SSL_write", ProbeKind.SslWrite, 0x2000)], ["a note"])],
        [], TimeSpan.FromSeconds(1.2), FromCache: false);

    [Fact]
    public void A_stored_entry_comes_back_whole_under_the_path_it_is_asked_for()
    {
        using var folder = TempFolder.ForCaller();
        var cache = DiscoveryCache.At(folder.Path);
        cache.Write("abc123", Sample("/old/path/claude"));

        var read = cache.Read("abc123", "/new/path/claude");

        Assert.NotNull(read);
        Assert.True(read.FromCache);
        Assert.Equal("/new/path/claude", read.Path);
        Assert.Equal(TimeSpan.Zero, read.Elapsed);
        Assert.Equal("Bun 1.4.6", read.Program);
        var stack = Assert.Single(read.Stacks);
        Assert.Equal([0x1000UL, 0x2000UL], stack.Sites.Select(s => s.Address));
        Assert.Equal([ProbeKind.SslRead, ProbeKind.SslWrite], stack.Sites.Select(s => s.Kind));
        Assert.Null(cache.Read("another-build", "/new/path/claude"));
    }

    [Fact]
    public void Entries_unused_for_a_month_are_deleted_when_a_new_one_is_stored()
    {
        using var folder = TempFolder.ForCaller();
        var cache = DiscoveryCache.At(folder.Path);
        cache.Write("forgotten", Sample("/opt/old/claude"));
        cache.Write("still-read", Sample("/usr/bin/node"));
        var forgotten = Directory.GetFiles(cache.Folder!, "forgotten.*").Single();
        var stillRead = Directory.GetFiles(cache.Folder!, "still-read.*").Single();
        var longAgo = DateTime.UtcNow - TimeSpan.FromDays(40);
        File.SetLastWriteTimeUtc(forgotten, longAgo);
        File.SetLastAccessTimeUtc(forgotten, longAgo);
        // Written long ago, read last week: in use.
        File.SetLastWriteTimeUtc(stillRead, longAgo);
        File.SetLastAccessTimeUtc(stillRead, DateTime.UtcNow - TimeSpan.FromDays(7));

        cache.Write("new-build", Sample("/usr/bin/codex"));

        Assert.False(File.Exists(forgotten));
        Assert.NotNull(cache.Read("still-read", "/usr/bin/node"));
        Assert.NotNull(cache.Read("new-build", "/usr/bin/codex"));
    }

    [Fact]
    public void An_entry_others_can_write_is_not_trusted()
    {
        using var folder = TempFolder.ForCaller();
        var cache = DiscoveryCache.At(folder.Path);
        cache.Write("abc123", Sample("/bin/x"));
        var entry = Assert.Single(Directory.GetFiles(cache.Folder!));
        File.SetUnixFileMode(entry, File.GetUnixFileMode(entry) | UnixFileMode.OtherWrite);

        Assert.Null(cache.Read("abc123", "/bin/x"));
    }

    [Fact]
    public void A_damaged_entry_is_analysed_again_rather_than_trusted()
    {
        using var folder = TempFolder.ForCaller();
        var cache = DiscoveryCache.At(folder.Path);
        cache.Write("abc123", Sample("/bin/x"));
        File.WriteAllText(Assert.Single(Directory.GetFiles(cache.Folder!)), "{\"Path\": [");

        Assert.Null(cache.Read("abc123", "/bin/x"));
    }
}
