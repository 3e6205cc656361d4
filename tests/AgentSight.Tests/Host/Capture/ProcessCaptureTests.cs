using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>
/// What a recorded command runs and opens: every exec with its argv, every exit with its code or signal, every file
/// opened with its result; and the recorder exits with the command's own status.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class ProcessCaptureTests
{
    [Fact]
    public async Task Record_of_a_shell_script_shows_each_child_its_exit_and_its_files_and_returns_its_status()
    {
        using var recorder = Recorder.Create();
        var marker = recorder.Folder.Combine("written-by-the-script.txt");
        var script = $"cat /etc/hostname > /dev/null; ls /no/such/dir-xyz; echo hello > {marker}; cat /no/such/file-xyz; exit 3";

        var result = await recorder.RecordAsync([], "/bin/sh", "-c", script);

        Assert.True(result.ExitCode == 3, result.Explain());
        var root = Assert.Single(result.Process("EXEC"), e => e.Argv.SequenceEqual(["/bin/sh", "-c", script]));
        Assert.Equal("sh", root.Comm);
        var cat = Assert.Single(result.Process("EXEC"), e => e.Argv.SequenceEqual(["cat", "/etc/hostname"]));
        var ls = Assert.Single(result.Process("EXEC"), e => e.Argv.SequenceEqual(["ls", "/no/such/dir-xyz"]));
        var failingCat = Assert.Single(result.Process("EXEC"), e => e.Argv.SequenceEqual(["cat", "/no/such/file-xyz"]));
        Assert.All(new[] { cat, ls, failingCat }, e => Assert.Equal(root.Pid, (int)e.Data["ppid"]!));

        int ExitCode(CapturedEvent exec) => (int)Assert.Single(result.Process("EXIT"), e => e.Pid == exec.Pid).Data["exit_code"]!;
        Assert.Equal((0, 2, 1, 3), (ExitCode(cat), ExitCode(ls), ExitCode(failingCat), ExitCode(root)));
        Assert.All(result.Process("EXIT"), e => Assert.Null(e.Data["signal"]));

        var opened = Assert.Single(result.Process("FILE_OPEN"), e => e.Pid == cat.Pid && (string?)e.Data["filepath"] == "/etc/hostname");
        Assert.True((int)opened.Data["fd"]! >= 0);
        var missing = Assert.Single(result.Process("FILE_OPEN"), e => e.Pid == failingCat.Pid && (string?)e.Data["filepath"] == "/no/such/file-xyz");
        Assert.Equal(("ENOENT", 2), ((string?)missing.Data["error"], (int)missing.Data["errno"]!));
        var write = Assert.Single(result.Process("FILE_OPEN"), e => e.Pid == root.Pid && (string?)e.Data["filepath"] == marker);
        Assert.Equal(1, (long)write.Data["flags"]! & 3); // O_WRONLY
    }

    [Fact]
    public async Task A_command_killed_by_a_signal_is_reported_with_it_and_the_recorder_exits_128_plus_the_signal()
    {
        using var recorder = Recorder.Create();

        var result = await recorder.RecordAsync([], "/bin/sh", "-c", "sleep 0.2 & wait; kill -TERM $$; sleep 5");

        Assert.True(result.ExitCode == 143, result.Explain());
        var exit = Assert.Single(result.Process("EXIT"), e => e.Comm == "sh");
        Assert.Equal((15, 143, false), ((int?)exit.Data["signal"], (int)exit.Data["exit_code"]!, (bool)exit.Data["core_dumped"]!));
        var sleep = Assert.Single(result.Process("EXIT"), e => e.Comm == "sleep");
        Assert.Equal(0, (int)sleep.Data["exit_code"]!);
        Assert.True((double)sleep.Data["duration_ms"]! >= 150, sleep.ToString());
        Assert.Single(result.Process("FORK"), e => e.Pid == sleep.Pid);
    }

    [Fact]
    public async Task Record_by_name_follows_processes_that_start_later_until_interrupted()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.OpensslAsync();
        // A program with a name of its own: a copy of curl is not needed, a symbolic link gives the process its name.
        var agent = recorder.Folder.Combine("agentsight-tcomm");
        File.CreateSymbolicLink(agent, CaptureEnvironment.Tool("curl"));
        var session = recorder.Folder.Combine("by-name.jsonl");
        using var host = recorder.Start("record", "-c", "agentsight-tcomm", "-o", session);
        await host.WaitForStderrAsync("following any that starts with that name", TimeSpan.FromSeconds(60));

        using (var run = System.Diagnostics.Process.Start(agent, ["-sk", server.Url("/by-name"), "-o", "/dev/null"]))
        {
            await run.WaitForExitAsync();
        }
        using (var other = System.Diagnostics.Process.Start(CaptureEnvironment.Tool("curl"), ["-sk", server.Url("/not-followed"), "-o", "/dev/null"]))
        {
            await other.WaitForExitAsync();
        }
        await Task.Delay(300);
        host.Signal(2);
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, host.Stderr);
        var events = CapturedEvent.ReadSession(session);
        Assert.Contains(events, e => e.IsWrite && e.Comm == "agentsight-tcom" && e.Text!.Contains("GET /by-name ", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == "EXIT" && e.Comm == "agentsight-tcom");
        Assert.DoesNotContain(events, e => e.Root.ToJsonString().Contains("not-followed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Record_by_pid_follows_a_running_process_and_its_children_and_ends_when_they_have_exited()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.OpensslAsync();
        var go = recorder.Folder.Combine("go");
        var curl = CaptureEnvironment.Tool("curl");
        using var target = System.Diagnostics.Process.Start("/bin/sh",
            ["-c", $"while [ ! -e {go} ]; do sleep 0.05; done; {curl} -sk {server.Url("/by-pid")} -o /dev/null; exit 4"])!;
        var session = recorder.Folder.Combine("by-pid.jsonl");
        using var host = recorder.Start("record", "-p", target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", session);
        await host.WaitForStderrAsync("running process(es) and their future children", TimeSpan.FromSeconds(60));

        await File.WriteAllTextAsync(go, "");
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, host.Stderr);
        Assert.Contains("Every followed process has exited", host.Stderr, StringComparison.Ordinal);
        var events = CapturedEvent.ReadSession(session);
        var child = Assert.Single(events, e => e.Kind == "EXEC" && e.Argv.Count > 0 && e.Argv[0] == curl);
        Assert.Equal(target.Id, (int)child.Data["ppid"]!);
        Assert.Contains(events, e => e.IsWrite && e.Pid == child.Pid && e.Text!.Contains("GET /by-pid ", StringComparison.Ordinal));
        Assert.Equal(4, (int)Assert.Single(events, e => e.Kind == "EXIT" && e.Pid == target.Id).Data["exit_code"]!);
    }
}
