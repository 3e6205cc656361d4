using AgentSight.Contracts;
using AgentSight.Tests.Support;
using AgentSight.Tests.WebUi;

namespace AgentSight.Tests.Top;

/// <summary><c>agentsight top</c>'s command line as a script uses it: one frame of a served session, and its mistakes.</summary>
public sealed class TopCommandTests
{
    [Fact]
    public async Task Once_prints_one_plain_frame_of_every_process_of_the_recording_it_is_given()
    {
        using var folder = TempFolder.ForCaller();
        var recording = folder.Combine("session.jsonl");
        File.WriteAllLines(recording, SessionEvents.AgentSession().Select(AgentEventJson.ToJson));
        using var serve = HostProcess.Start(["serve", recording, "--port", "0"]);
        await serve.WaitForStderrAsync("serving until Ctrl+C", TimeSpan.FromSeconds(60));
        var printed = WebUiAddress.Printed(serve.Stderr);
        var tokenFile = folder.Combine("token");
        File.WriteAllText(tokenFile, WebUiAddress.Token(printed) + "\n");

        var (code, stdout, stderr) = await HostProcess.RunAsync(["top", "--once", "--url", printed.GetLeftPart(UriPartial.Authority), "--token-file", tokenFile,
            "--sort", "pid"], environment: new Dictionary<string, string> { ["COLUMNS"] = "120" });

        Assert.True(code == 0, stderr);
        var lines = stdout.TrimEnd('\n').Split('\n');
        Assert.StartsWith($"agentsight top | attached: {printed.GetLeftPart(UriPartial.Authority)}/", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', stdout);
        Assert.Equal([(100, "bash"), (200, "claude"), (300, "npm")], TopScreenText.Rows(lines).Select(r => (r.Pid, r.Name)));
        var claude = TopScreenText.Cells(TopScreenText.Rows(lines)[1].Line);
        // pid, name, state, calls, tokens, cpu, rss, execs, files, peers, fail, lost, command; its failed open is a
        // look-up of a missing .env (ENOENT, read only), which the error rule does not count as a failure.
        Assert.Equal(["200", "claude", "0", "2", "2.7k", "-", "-", "1", "1", "0", "0", "0", "claude", "-p", "fix", "it"], claude);
        Assert.Equal("1", TopScreenText.Cells(TopScreenText.Rows(lines)[2].Line)[2]);
    }

    [Theory]
    [InlineData(new[] { "top", "--url", "ftp://example.org/" }, "--url: \"ftp://example.org/\" is not an http:// address")]
    [InlineData(new[] { "top", "--url", "http://127.0.0.1:7395/", "-c", "claude" }, "top attaches (--url, --token-file) or captures (-c, -p, -- CMD), not both")]
    [InlineData(new[] { "top", "--sort", "size" }, "--sort: \"size\" is not a column")]
    [InlineData(new[] { "top", "--interval", "0" }, "--interval must be between 0.1 and 3600 seconds")]
    public async Task Wrong_arguments_say_what_is_wrong_and_exit_2(string[] args, string message)
    {
        var (code, _, stderr) = await HostProcess.RunAsync(args);

        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_file_that_cannot_be_read_is_named()
    {
        var (code, _, stderr) = await HostProcess.RunAsync(["top", "--token-file", "/nonexistent/agentsight-token"]);

        Assert.Equal(2, code);
        Assert.Contains("--token-file: /nonexistent/agentsight-token:", stderr, StringComparison.Ordinal);
    }
}
