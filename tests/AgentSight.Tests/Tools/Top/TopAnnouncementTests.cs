using AgentSight.Host.Plugins;
using AgentSight.Tests.Capture;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Top;

/// <summary>How a recording lets top find it without weakening its access: its address goes to the user who ran sudo, and to nobody else.</summary>
[Collection(AgentSight.Tests.Capture.CaptureCollection.Name)]
public sealed class TopAnnouncementTests
{
    [Fact]
    public async Task A_recording_announces_its_address_to_the_user_who_ran_sudo_only_and_takes_it_back_at_the_end()
    {
        CaptureEnvironment.Require();
        using var folder = TempFolder.ForCaller();
        File.SetUnixFileMode(folder.Path, (UnixFileMode)0b111_101_101);
        var live = folder.Combine("live");
        // As sudo would leave it for nobody (65534): the recorded command runs as that user, the address is theirs.
        var environment = new Dictionary<string, string> { ["AGENTSIGHT_LIVE_DIR"] = live, ["SUDO_UID"] = "65534", ["SUDO_GID"] = "65534" };
        using var record = HostProcess.Start(["record", "--port", "0", "-o", folder.Combine("rec.jsonl"), "--", "/bin/sleep", "60"], environment, folder.Path);
        await record.WaitForStderrAsync("Web UI:", TimeSpan.FromSeconds(120));
        var announced = Path.Combine(live, $"{record.Pid}.url");

        Assert.Equal(WebUiAddress.Printed(record.Stderr).ToString(), File.ReadAllText(announced).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(announced));
        Assert.Equal(65534u, UnixFileStatus.Of(announced)!.Value.Uid);
        var folderStatus = UnixFileStatus.Of(live)!.Value;
        Assert.Equal(0u, folderStatus.Uid);
        Assert.False(folderStatus.GroupWritable || folderStatus.OtherWritable);

        // Once the recording holds the command's process (the announcement comes as the server listens, before it runs).
        using var http = WebUiAddress.Client(record.Stderr);
        for (var tries = 0; !(await http.GetStringAsync(new Uri("/api/processes", UriKind.Relative))).Contains("\"comm\":\"sleep\"", StringComparison.Ordinal); tries++)
        {
            Assert.True(tries < 300, "the recording never showed the command's process");
            await Task.Delay(100);
        }

        // That user's top finds it with no address given; another user's top is told it is not theirs.
        var mine = await HostProcess.RunAsAsync("nobody", ["top", "--once"], new Dictionary<string, string> { ["AGENTSIGHT_LIVE_DIR"] = live });
        Assert.True(mine.ExitCode == 0, mine.Stderr);
        Assert.Contains($"attached: {WebUiAddress.Printed(record.Stderr).GetLeftPart(UriPartial.Authority)}/ (recorder pid {record.Pid})", mine.Stdout,
            StringComparison.Ordinal);
        Assert.Contains(TopScreenText.Rows(mine.Stdout.Split('\n')), r => r.Name == "sleep");
        var theirs = await HostProcess.RunAsAsync("daemon", ["top", "--once"], new Dictionary<string, string> { ["AGENTSIGHT_LIVE_DIR"] = live });
        Assert.Equal(1, theirs.ExitCode);
        Assert.Contains($"no running recording of yours was found (recordings of another user run: pid {record.Pid};", theirs.Stderr, StringComparison.Ordinal);
        Assert.Equal("", theirs.Stdout);

        record.Signal(15);
        await record.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.False(File.Exists(announced));
    }
}
