using System.Globalization;
using System.Text.RegularExpressions;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>
/// <c>record</c>'s start-up: the probes are loaded and attached while the pipeline starts (docs/PERFORMANCE.md, "Where
/// record -- /bin/true spends its time"), and the command still runs only once every probe is attached, so its first
/// exec and its first file open are in the session. <c>--timings</c> says where the time went.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed partial class StartupTests
{
    [Fact]
    public async Task Record_loads_the_probes_while_the_pipeline_starts_and_still_sees_the_commands_first_exec_and_open()
    {
        using var folder = TempFolder.ForCaller();
        var session = folder.Combine("session.jsonl");

        var (code, _, stderr) = await HostProcess.RunAsync(
            ["record", "--no-server", "--no-summary", "--timings", "-o", session, "--", "/bin/cat", "/etc/hostname"], folder.Path, TimeSpan.FromSeconds(120));

        Assert.True(code == 0, stderr);
        var timings = Timings(stderr);
        // Loading the BPF objects began before the pipeline had finished starting (the default pipeline: fourteen
        // plugins loaded, the session store opened), not after it as it did before.
        Assert.True(timings["capture: process object opened"] < timings["pipeline: stages created, sinks opened"], stderr);
        // The command started after every probe known up front was attached.
        foreach (var attached in new[]
        {
            "capture: process object loaded (verified)", "capture: process programs attached", "capture: socket and stdio programs attached",
            "capture: system TLS libraries found and probed", "capture: the command's own binary looked into for TLS",
            "pipeline: stages created, sinks opened",
        })
        {
            Assert.True(timings[attached] <= timings["capture: command started"], $"{attached} after the command started:\n{stderr}");
        }
        AssertFirstExecAndOpenSeen(session, stderr);
    }

    [Fact]
    public async Task Record_started_serially_as_before_sees_the_same_and_its_timings_show_the_order()
    {
        using var folder = TempFolder.ForCaller();
        var session = folder.Combine("session.jsonl");

        var (code, _, stderr) = await HostProcess.RunAsync(
            ["record", "--no-server", "--no-summary", "--timings", "-o", session, "--", "/bin/cat", "/etc/hostname"], folder.Path, TimeSpan.FromSeconds(120),
            new Dictionary<string, string> { ["AGENTSIGHT_SERIAL_START"] = "1" });

        Assert.True(code == 0, stderr);
        var timings = Timings(stderr);
        Assert.True(timings["capture: process object opened"] > timings["pipeline: stages created, sinks opened"], stderr);
        AssertFirstExecAndOpenSeen(session, stderr);
    }

    [Fact]
    public async Task The_recorded_command_starts_without_the_variables_the_launcher_set_for_the_host()
    {
        using var folder = TempFolder.ForCaller();
        var seen = folder.Combine("env.txt");
        // As ./agentsight hands over: the runtime setting and the start time it added, named in AGENTSIGHT_LAUNCHER_ENV.
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_TC_CallCountingDelayMs"] = "3000",
            ["AGENTSIGHT_EXEC_AT"] = "1765000000.000000",
            ["AGENTSIGHT_LAUNCHER_ENV"] = "AGENTSIGHT_EXEC_AT DOTNET_TC_CallCountingDelayMs",
            ["AGENTSIGHT_TEST_USERS_OWN"] = "kept",
        };

        var (code, _, stderr) = await HostProcess.RunAsync(
            ["record", "--no-server", "--no-summary", "-o", folder.Combine("session.jsonl"), "--", "/bin/sh", "-c", $"env > {seen}"],
            folder.Path, TimeSpan.FromSeconds(120), environment);

        Assert.True(code == 0, stderr);
        var lines = File.ReadAllLines(seen);
        Assert.Contains("AGENTSIGHT_TEST_USERS_OWN=kept", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("DOTNET_TC_CallCountingDelayMs=", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("AGENTSIGHT_EXEC_AT=", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("AGENTSIGHT_LAUNCHER_ENV=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Timings_are_printed_only_when_asked_for()
    {
        using var folder = TempFolder.ForCaller();

        var (code, _, stderr) = await HostProcess.RunAsync(
            ["record", "--no-server", "--no-summary", "-o", folder.Combine("session.jsonl"), "--", "/bin/true"], folder.Path, TimeSpan.FromSeconds(120));

        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("Timings (ms since", stderr, StringComparison.Ordinal);
    }

    private static void AssertFirstExecAndOpenSeen(string session, string stderr)
    {
        var events = CapturedEvent.ReadSession(session);
        var exec = Assert.Single(events, e => e.Kind == "EXEC" && e.Argv.SequenceEqual(["/bin/cat", "/etc/hostname"]));
        // The first file the command opens itself (the loader's cache and libc come before it, and are there too).
        Assert.Contains(events, e => e.Kind == "FILE_OPEN" && e.Pid == exec.Pid && (string?)e.Data["filepath"] == "/etc/ld.so.cache");
        Assert.Contains(events, e => e.Kind == "FILE_OPEN" && e.Pid == exec.Pid && (string?)e.Data["filepath"] == "/etc/hostname");
        Assert.Contains(events, e => e.Kind == "EXIT" && e.Pid == exec.Pid);
        Assert.DoesNotMatch(@"\d (ERR|FTL)\] ", stderr);
    }

    /// <summary>The <c>--timings</c> table: each phase's offset from the process's start, in ms (the first of a name).</summary>
    private static Dictionary<string, double> Timings(string stderr)
    {
        var table = new Dictionary<string, double>(StringComparer.Ordinal);
        Assert.Contains("Timings (ms since the process started", stderr, StringComparison.Ordinal);
        foreach (Match row in TimingRow().Matches(stderr))
        {
            table.TryAdd(row.Groups["phase"].Value.TrimEnd(), double.Parse(row.Groups["at"].Value, CultureInfo.InvariantCulture));
        }
        return table;
    }

    [GeneratedRegex(@"^ *(?<at>\d+\.\d) +[+-]\d+\.\d  (?<phase>.+)$", RegexOptions.Multiline)]
    private static partial Regex TimingRow();
}
