using AgentSight.Contracts;
using AgentSight.Tests.Support;
using AgentSight.Tests.WebUi;
using AgentSight.Top.Sources;

namespace AgentSight.Tests.Top;

/// <summary>How top reads a recording: the web API of a real <c>serve</c>, /proc, and the announced addresses.</summary>
public sealed class TopSourceTests
{
    private static string Recording(TempFolder folder)
    {
        var path = folder.Combine("session.jsonl");
        File.WriteAllLines(path, SessionEvents.AgentSession().Select(AgentEventJson.ToJson));
        return path;
    }

    [Fact]
    public async Task The_web_api_gives_every_process_with_its_calls_files_failures_and_the_session_totals()
    {
        using var folder = TempFolder.ForCaller();
        using var host = HostProcess.Start(["serve", Recording(folder), "--port", "0"]);
        await host.WaitForStderrAsync("serving until Ctrl+C", TimeSpan.FromSeconds(60));
        var endpoint = WebApiEndpoint.Parse(WebUiAddress.Printed(host.Stderr).ToString(), null, out _)!;
        using var source = new WebApiSource(() => endpoint, readResources: false);

        var reading = await source.ReadAsync(CancellationToken.None);

        Assert.Null(reading.Problem);
        var snapshot = reading.Snapshot!;
        Assert.Equal((14L, 2L, 2700L), (snapshot.Events, snapshot.Calls, snapshot.Tokens));
        Assert.Equal(["bash", "claude", "npm"], snapshot.Processes.Select(p => p.Comm));
        var claude = snapshot.Processes.Single(p => p.Pid == 200);
        // Its one failed open looked for a missing .env (ENOENT, read only): a look-up, not a failure.
        Assert.Equal((2L, 1000L + 1500, 200L, 1, 0, 1), (claude.Calls, claude.InputTokens, claude.OutputTokens, claude.FilesWritten, claude.FailedOpens, claude.Children));
        Assert.Equal("claude -p fix it", claude.CommandLine);
        Assert.Equal(snapshot.Processes.Single(p => p.Pid == 100).Id, claude.ParentId);
        var npm = snapshot.Processes.Single(p => p.Pid == 300);
        Assert.True(npm.Exited);
        Assert.Equal(1, npm.ExitCode);
        Assert.True(npm.ExitedBadly);
        Assert.Null(snapshot.Resources);

        // The recording ends: the next reading says so, and keeps nothing from before.
        host.Signal(2);
        Assert.Equal(0, await host.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var lost = await source.ReadAsync(CancellationToken.None);
        Assert.Null(lost.Snapshot);
        Assert.StartsWith($"cannot reach {endpoint.BaseAddress}", lost.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_is_told_as_such_and_says_how_to_give_the_right_one()
    {
        using var folder = TempFolder.ForCaller();
        using var host = HostProcess.Start(["serve", Recording(folder), "--port", "0"]);
        await host.WaitForStderrAsync("serving until Ctrl+C", TimeSpan.FromSeconds(60));
        var endpoint = WebApiEndpoint.Parse(WebUiAddress.Printed(host.Stderr).GetLeftPart(UriPartial.Path), "wrong-token-0123456789", out _)!;
        using var source = new WebApiSource(() => endpoint, readResources: false);

        var reading = await source.ReadAsync(CancellationToken.None);

        Assert.Null(reading.Snapshot);
        Assert.Contains("refused the token (401)", reading.Problem, StringComparison.Ordinal);
        Assert.Contains("--token-file", reading.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7395/?token=abc123", null, "http://127.0.0.1:7395/", "abc123")]
    [InlineData("http://localhost:8000", "from-file", "http://localhost:8000/", "from-file")]
    [InlineData("http://[::1]:7395/#/llm?x=1", null, "http://[::1]:7395/", null)]
    public void An_address_as_a_recording_prints_it_gives_the_server_and_the_token(string address, string? token, string server, string? expected)
    {
        var endpoint = WebApiEndpoint.Parse(address, token, out var problem);

        Assert.Null(problem);
        Assert.Equal((server, expected), (endpoint!.BaseAddress.ToString(), endpoint.Token));
        Assert.True(endpoint.IsLocal);
    }

    [Fact]
    public void Something_else_than_an_http_address_is_refused_with_an_example()
    {
        Assert.Null(WebApiEndpoint.Parse("ftp://example.org/", null, out var problem));
        Assert.Contains("http://127.0.0.1:7395/?token=", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proc_gives_the_rss_of_a_running_process_and_its_cpu_from_the_second_reading_on()
    {
        using var busy = System.Diagnostics.Process.Start("/bin/sh", ["-c", "while :; do :; done"]);
        using var idle = System.Diagnostics.Process.Start("/bin/sleep", ["60"]);
        try
        {
            var samples = new[] { TopSamples.Process(1, busy.Id, "sh"), TopSamples.Process(2, idle.Id, "sleep") };
            var resources = new ProcResources();

            var first = resources.Read(samples);
            await Task.Delay(1000);
            var second = resources.Read(samples);

            Assert.Null(first[busy.Id].CpuPercent);
            // On a loaded machine the loop gets less than a core, still far more than a sleeping process.
            Assert.True(second[busy.Id].CpuPercent > 5, $"a busy loop used {second[busy.Id].CpuPercent} % of a core");
            Assert.True(second[idle.Id].CpuPercent < 2, $"a sleeping process used {second[idle.Id].CpuPercent} % of a core");
            Assert.True(second[busy.Id].RssBytes > 100_000);
            // An exited process's pid may be another's by now: not read. One that has gone: nothing to show.
            Assert.Empty(resources.Read([samples[0] with { Exited = true }]));
            busy.Kill();
            await busy.WaitForExitAsync();
            Assert.False(resources.Read(samples).ContainsKey(busy.Id));
        }
        finally
        {
            busy.Kill();
            idle.Kill();
        }
    }

    [Fact]
    public void A_stat_line_whose_name_holds_spaces_and_parentheses_is_read_right()
    {
        var stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 123456 10000000 2560 18446744073709551615";

        var parsed = ProcResources.Parse(stat);

        Assert.Equal(("my (odd) name", 300L, 123456L, 2560L), parsed);
    }

    [Fact]
    public void Announced_recordings_are_found_newest_first_and_a_dead_recorder_is_skipped()
    {
        using var folder = TempFolder.ForCaller();
        using var other = System.Diagnostics.Process.Start("/bin/sleep", ["30"]);
        try
        {
            File.WriteAllText(Path.Combine(folder.Path, $"{Environment.ProcessId}.url"), "http://127.0.0.1:7001/?token=mine\n");
            File.SetLastWriteTimeUtc(Path.Combine(folder.Path, $"{Environment.ProcessId}.url"), DateTime.UtcNow.AddMinutes(-5));
            File.WriteAllText(Path.Combine(folder.Path, $"{other.Id}.url"), "http://127.0.0.1:7002/?token=newer\n");
            // No process has this pid (above the kernel's limit): its recorder was killed and left the file.
            File.WriteAllText(Path.Combine(folder.Path, "99999999.url"), "http://127.0.0.1:7003/?token=stale\n");
            // Being written: not an address yet.
            File.WriteAllText(Path.Combine(folder.Path, "1.url"), "");

            var (found, notReadable) = LiveRecordings.Find(folder.Path);

            Assert.Equal([(other.Id, "http://127.0.0.1:7002/", "newer"), (Environment.ProcessId, "http://127.0.0.1:7001/", "mine")],
                found.Select(f => (f.Pid, f.Endpoint.BaseAddress.ToString(), f.Endpoint.Token!)));
            Assert.Empty(notReadable);
        }
        finally
        {
            other.Kill();
        }
    }
}
