using System.Text.RegularExpressions;
using AgentSight.Contracts;
using AgentSight.Tests.Capture;
using AgentSight.Tests.Support;
using AgentSight.Tests.WebUi;

namespace AgentSight.Tests.Top;

/// <summary>
/// <c>agentsight top</c> in a real 80x24 terminal (tmux), as a user runs it: attached to a live recording of the demo
/// agent, running its own capture, and losing its connection. Keys go in, the screen is read back.
/// </summary>
[Collection(AgentSight.Tests.Capture.CaptureCollection.Name)]
public sealed partial class TopTerminalTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [GeneratedRegex(@"top exited with status (\d+)")]
    private static partial Regex ExitLine();

    private static string Top(string args) => $"dotnet {Artifacts.HostDll} top {args}; echo \"top exited with status $?\"; sleep 600";

    [Fact]
    public async Task Attached_to_the_live_demo_it_finds_it_alone_shows_its_processes_sorts_filters_and_quits_leaving_the_recording_running()
    {
        CaptureEnvironment.Require();
        using var folder = TempFolder.ForCaller();
        var live = Directory.CreateDirectory(folder.Combine("live")).FullName;
        var environment = new Dictionary<string, string> { ["AGENTSIGHT_LIVE_DIR"] = live };
        var session = folder.Combine("demo.jsonl");
        using var demo = HostProcess.Start(["demo", "--port", "0", "-o", session], environment, folder.Path);
        await demo.WaitForStderrAsync("Web UI:", TimeSpan.FromSeconds(120));
        var printed = WebUiAddress.Printed(demo.Stderr);

        // No address given: top finds the recording through what the recorder announced.
        using var terminal = await TmuxTerminal.StartAsync(Top(""), 80, 24, environment: environment);
        var screen = await terminal.WaitForAsync(s => TopScreenText.Rows(s).Any(r => r.Name == "python3" && TopScreenText.Cells(r.Line)[3] == "6"),
            TimeSpan.FromSeconds(180), "the demo agent's row with its six LLM calls");

        Assert.StartsWith($"agentsight top | attached: {printed.GetLeftPart(UriPartial.Authority)}/ (recorder pid {demo.Pid}", screen[0], StringComparison.Ordinal);
        Assert.StartsWith("live: updated", screen[1], StringComparison.Ordinal);
        Assert.Matches(@"^\s+PID NAME\s+ST\s+CALLS\s+TOKENS.\s+CPU%\s+RSS EXEC FILES PEERS FAIL LOST$", screen[4]);
        Assert.All(screen, line => Assert.True(line.TrimEnd().Length <= 80, line));
        var byTokens = TopScreenText.Rows(screen);
        Assert.Equal("python3", byTokens[0].Name);
        Assert.Contains(byTokens, r => r.Name == "uname");
        // The agent wrote two files, started two shells.
        var python = TopScreenText.Cells(byTokens[0].Line);
        Assert.Equal(("2", "2"), (python[7], python[8]));

        // S S S: from tokens back to the name column, A to Z; r: Z to A.
        await terminal.SendAsync("S", "S", "S");
        screen = await terminal.WaitForAsync(s => s[3].Contains("sort: name", StringComparison.Ordinal), Patience, "sort: name");
        var byName = TopScreenText.Rows(screen).Select(r => r.Name).ToList();
        Assert.Equal(byName.Order(StringComparer.OrdinalIgnoreCase), byName);
        Assert.NotEqual(byTokens.Select(r => r.Name), byName);
        await terminal.SendAsync("r");
        screen = await terminal.WaitForAsync(s => Regex.IsMatch(s[3], "sort: name (v|▼)"), Patience, "sort: name reversed");
        Assert.Equal(byName.OrderDescending(StringComparer.OrdinalIgnoreCase), TopScreenText.Rows(screen).Select(r => r.Name));

        // A filter as typed, then the agents view: one row for the whole tree.
        await terminal.SendAsync("/", "una", "Enter");
        // The command line counts: the shell that ran uname is kept too. Header and rows are waited for together: a
        // screen captured while a frame was being drawn showed the new header over the old rows.
        await terminal.WaitForAsync(s => s[3].Contains("filter: \"una\"", StringComparison.Ordinal)
            && TopScreenText.Rows(s).Select(r => r.Name).SequenceEqual(["uname", "sh"]), Patience, "the filter with the rows uname, sh");
        // Esc alone (a key after it at once would read as Alt+key), then a.
        await terminal.SendAsync("Escape");
        await terminal.WaitForAsync(s => s[3].Contains("filter: none", StringComparison.Ordinal), Patience, "the filter cleared");
        await terminal.SendAsync("a");
        screen = await terminal.WaitForAsync(s => s[3].StartsWith("view: agents", StringComparison.Ordinal), Patience, "the agents view");
        var agent = Assert.Single(TopScreenText.Rows(screen));
        Assert.Equal("python3", agent.Name);
        Assert.Equal("6", TopScreenText.Cells(agent.Line)[3]);

        await terminal.SendAsync("q");
        screen = await terminal.WaitForAsync(s => s.Any(l => ExitLine().IsMatch(l)), Patience, "top's exit");
        Assert.Equal("0", ExitLine().Match(string.Join('\n', screen)).Groups[1].Value);
        // The terminal is given back as it was: the view is gone, the shell's line is on the first row.
        Assert.DoesNotContain(screen, l => l.Contains("agentsight top |", StringComparison.Ordinal));

        // The recording never noticed: it still serves, then ends complete on Ctrl+C.
        Assert.False(demo.HasExited);
        using var http = WebUiAddress.Client(printed);
        Assert.Contains("\"events\"", await http.GetStringAsync(new Uri("/api/session", UriKind.Relative)), StringComparison.Ordinal);
        demo.Signal(2);
        Assert.True(await demo.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, demo.Stderr);
        Assert.Contains("6 LLM calls", demo.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(live));
    }

    [Fact]
    public async Task Its_own_capture_of_a_command_shows_it_and_q_ends_it_with_complete_session_files()
    {
        CaptureEnvironment.Require();
        using var folder = TempFolder.ForCaller();
        var session = folder.Combine("own.jsonl");
        var environment = new Dictionary<string, string> { ["AGENTSIGHT_LIVE_DIR"] = Directory.CreateDirectory(folder.Combine("live")).FullName };

        using var terminal = await TmuxTerminal.StartAsync(
            Top($"-o {session} -- /bin/sh -c 'echo hello-from-the-command; touch {folder.Combine("made-by-it")}; exec sleep 120'"), 80, 24, environment: environment);
        var screen = await terminal.WaitForAsync(s => TopScreenText.Rows(s).Any(r => r.Name == "sleep"), TimeSpan.FromSeconds(120), "the command's row");

        Assert.StartsWith("agentsight top | own capture to own.jsonl, output in own.out: /bin/sh -c", screen[0], StringComparison.Ordinal);
        var sleep = TopScreenText.Cells(TopScreenText.Rows(screen).Single(r => r.Name == "sleep").Line);
        Assert.Equal("run", sleep[2]);
        // Read from /proc on this machine: a resident size, not "-".
        Assert.Matches(@"^\d+(\.\d)?[BKMG]$", sleep[6]);
        // The command's output went to its file, not over the view.
        Assert.DoesNotContain(screen, l => l.Contains("hello-from-the-command", StringComparison.Ordinal));

        await terminal.SendAsync("q");
        await terminal.WaitForAsync(s => s.Any(l => ExitLine().IsMatch(l)), TimeSpan.FromSeconds(90), "top's exit");
        var all = await terminal.HistoryAsync();
        Assert.Equal("0", ExitLine().Match(all).Groups[1].Value);
        Assert.Contains($"session written to {session}", all, StringComparison.Ordinal);

        Assert.Equal("hello-from-the-command\n", File.ReadAllText(folder.Combine("own.out")));
        Assert.Contains(CapturedEvent.ReadSession(session), e => e.Kind == "EXEC" && e.Argv.Count > 0 && e.Argv[0] == "sleep");
        var (code, report, stderr) = await HostProcess.RunAsync(["report", folder.Combine("own.db")]);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("incomplete", report, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("sleep", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lost_connection_is_shown_and_the_last_figures_stay_until_q()
    {
        using var folder = TempFolder.ForCaller();
        var recording = folder.Combine("session.jsonl");
        File.WriteAllLines(recording, SessionEvents.AgentSession().Select(AgentEventJson.ToJson));
        using var serve = HostProcess.Start(["serve", recording, "--port", "0"]);
        await serve.WaitForStderrAsync("serving until Ctrl+C", TimeSpan.FromSeconds(60));
        var printed = WebUiAddress.Printed(serve.Stderr);
        var tokenFile = folder.Combine("token");
        File.WriteAllText(tokenFile, WebUiAddress.Token(printed) + "\n");

        using var terminal = await TmuxTerminal.StartAsync(Top($"--url {printed.GetLeftPart(UriPartial.Authority)} --token-file {tokenFile} --interval 0.2"), 80, 24,
            term: "dumb");
        await terminal.WaitForAsync(s => TopScreenText.Rows(s).Any(r => r.Name == "claude"), Patience, "the session's rows");
        serve.Signal(2);
        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var screen = await terminal.WaitForAsync(s => s.Any(l => l.StartsWith("connection lost at", StringComparison.Ordinal)), Patience, "the lost connection");
        Assert.Contains(TopScreenText.Rows(screen[Array.FindLastIndex(screen, l => l.StartsWith("agentsight top |", StringComparison.Ordinal))..]), r => r.Name == "claude");
        // TERM=dumb: frames one after another, no escape sequence drawn.
        await terminal.SendAsync("q");
        screen = await terminal.WaitForAsync(s => s.Any(l => ExitLine().IsMatch(l)), Patience, "top's exit");
        Assert.Equal("0", ExitLine().Match(string.Join('\n', screen)).Groups[1].Value);
    }
}
