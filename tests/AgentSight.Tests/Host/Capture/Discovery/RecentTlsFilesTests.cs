using AgentSight.Host.Capture;
using AgentSight.Host.Capture.Discovery;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture.Discovery;

/// <summary>Where one recording probed TLS is where the next one probes at its start, as long as the files did not change.</summary>
public sealed class RecentTlsFilesTests
{
    private static (string Path, FileIdentity Identity) Probed(string path)
    {
        Assert.True(Posix.TryGetIdentity(path, out var identity));
        return (path, identity);
    }

    private static string Program(TempFolder folder, string name)
    {
        var path = folder.Combine(name);
        File.WriteAllText(path, "#!/bin/sh\n");
        return path;
    }

    [Fact]
    public void Files_come_back_the_latest_first()
    {
        using var folder = TempFolder.ForCaller();
        var recent = RecentTlsFiles.At(folder.Path);
        var node = Program(folder, "node");
        var agent = Program(folder, "agent");
        recent.Remember([Probed(node)], DateTimeOffset.UnixEpoch.AddDays(1));
        recent.Remember([Probed(agent)], DateTimeOffset.UnixEpoch.AddDays(2));

        var read = recent.ReadUnchanged(DateTimeOffset.UnixEpoch.AddDays(3));

        Assert.Equal([agent, node], read.Select(f => f.Path));
        Posix.TryGetIdentity(agent, out var identity);
        Assert.Equal((identity.Device, identity.Inode), (read[0].Device, read[0].Inode));
    }

    [Fact]
    public void A_file_changed_or_replaced_since_is_left_out()
    {
        using var folder = TempFolder.ForCaller();
        var recent = RecentTlsFiles.At(folder.Path);
        var changed = Program(folder, "changed");
        var replaced = Program(folder, "replaced");
        var kept = Program(folder, "kept");
        recent.Remember([Probed(changed), Probed(replaced), Probed(kept)], DateTimeOffset.UtcNow);

        File.AppendAllText(changed, "exec node \"$@\"\n");
        var fresh = folder.Combine("fresh");
        File.WriteAllText(fresh, "#!/bin/sh\n");
        File.Move(fresh, replaced, overwrite: true);

        Assert.Equal([kept], recent.ReadUnchanged(DateTimeOffset.UtcNow).Select(f => f.Path));
    }

    [Fact]
    public void A_path_that_no_longer_leads_to_the_file_probed_is_not_remembered()
    {
        using var folder = TempFolder.ForCaller();
        var recent = RecentTlsFiles.At(folder.Path);
        var seen = Probed(Program(folder, "in-a-container"));
        var other = Probed(Program(folder, "other"));

        // As a process in another mount namespace names a file: the same path here is another file, or none.
        recent.Remember([(seen.Path, other.Identity), ("/proc/1/root/usr/bin/node", other.Identity), ("relative/node", other.Identity)], DateTimeOffset.UtcNow);

        Assert.Empty(recent.ReadUnchanged(DateTimeOffset.UtcNow));
    }

    [Fact]
    public void At_most_the_capacity_is_kept_and_the_latest_few_probed_at_the_start()
    {
        using var folder = TempFolder.ForCaller();
        var recent = RecentTlsFiles.At(folder.Path);
        var files = Enumerable.Range(0, RecentTlsFiles.Capacity + 10).Select(i => Program(folder, $"p{i}")).ToList();
        for (var i = 0; i < files.Count; i++)
        {
            recent.Remember([Probed(files[i])], DateTimeOffset.UnixEpoch.AddSeconds(i));
        }

        Assert.Equal(files[^RecentTlsFiles.ProbedAtStart..].AsEnumerable().Reverse(), recent.ReadUnchanged(DateTimeOffset.UnixEpoch.AddSeconds(files.Count)).Select(f => f.Path));
        var list = File.ReadAllText(Directory.GetFiles(recent.Folder!, "recent-tls-files.*").Single());
        Assert.Contains(files[10], list, StringComparison.Ordinal);
        Assert.DoesNotContain(files[9] + "\"", list, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_no_followed_process_ran_for_a_week_is_no_longer_probed_at_the_start()
    {
        using var folder = TempFolder.ForCaller();
        var recent = RecentTlsFiles.At(folder.Path);
        var ran = DateTimeOffset.UtcNow;
        recent.Remember([Probed(Program(folder, "old-agent"))], ran);

        Assert.Single(recent.ReadUnchanged(ran + TimeSpan.FromDays(6)));
        Assert.Empty(recent.ReadUnchanged(ran + RecentTlsFiles.MaxAge + TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void A_list_others_can_write_is_not_used()
    {
        using var folder = TempFolder.ForCaller();
        var recent = RecentTlsFiles.At(folder.Path);
        recent.Remember([Probed(Program(folder, "node"))], DateTimeOffset.UtcNow);
        var list = Directory.GetFiles(recent.Folder!, "recent-tls-files.*").Single();

        File.SetUnixFileMode(list, File.GetUnixFileMode(list) | UnixFileMode.OtherWrite);

        Assert.Empty(recent.ReadUnchanged(DateTimeOffset.UtcNow));
    }
}
