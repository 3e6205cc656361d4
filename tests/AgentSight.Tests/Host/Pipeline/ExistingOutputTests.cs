using AgentSight.Tests.Capture;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Integration;

/// <summary>
/// <c>-o</c> at a session that exists: one rule for every sink, decided before any of them opens anything (the file
/// sink would add a run to the <c>.jsonl</c>, the session store will not overwrite the <c>.db</c>, so a recording
/// refuses both; outputs that all add a run, or all replace, go ahead and say so). docs/MANIFEST.md, "Existing outputs".
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class ExistingOutputTests
{
    private const string Earlier = "{\"earlier\":\"run\"}\n";

    private static Task<(int ExitCode, string Stdout, string Stderr)> RecordAsync(TempFolder folder, params string[] options) =>
        HostProcess.RunAsync(["record", "-o", folder.Combine("session.jsonl"), "--no-server", "--no-summary", .. options, "--", "/bin/true"], folder.Path);

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Record_refuses_an_existing_jsonl_or_db_before_anything_starts_and_touches_neither(bool jsonl, bool db)
    {
        using var folder = TempFolder.ForCaller();
        var events = folder.Combine("session.jsonl");
        var store = folder.Combine("session.db");
        if (jsonl)
        {
            File.WriteAllText(events, Earlier);
        }
        if (db)
        {
            File.WriteAllText(store, "an earlier session");
        }

        var (code, _, stderr) = await RecordAsync(folder);

        Assert.Equal(2, code);
        // "holds" for one file, "hold" for both.
        Assert.Contains("already hold", stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was started", stderr, StringComparison.Ordinal);
        Assert.Contains("--set file.append=false --set session-store.overwrite=true", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Appending events", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("recording to", stderr, StringComparison.Ordinal);
        Assert.Equal(jsonl ? Earlier : null, File.Exists(events) ? File.ReadAllText(events) : null);
        Assert.Equal(db ? "an earlier session" : null, File.Exists(store) ? File.ReadAllText(store) : null);
        Assert.False(File.Exists(store + "-wal"));
    }

    [Fact]
    public async Task Record_told_to_replace_both_outputs_replaces_both_and_says_so()
    {
        using var folder = TempFolder.ForCaller();
        File.WriteAllText(folder.Combine("session.jsonl"), Earlier);
        File.WriteAllText(folder.Combine("session.db"), "an earlier session");

        var (code, _, stderr) = await RecordAsync(folder, "--set", "file.append=false", "--set", "session-store.overwrite=true");

        Assert.True(code == 0, stderr);
        Assert.Contains("replacing it with this run", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("earlier", File.ReadAllText(folder.Combine("session.jsonl")), StringComparison.Ordinal);
        var report = await HostProcess.RunAsync(["report", folder.Combine("session.db")]);
        Assert.True(report.ExitCode == 0, report.Stderr);
        Assert.StartsWith("Session ", report.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_whose_only_output_adds_runs_appends_to_an_existing_file_and_says_so_first()
    {
        using var folder = TempFolder.ForCaller();
        var output = folder.Combine("events.jsonl");
        File.WriteAllText(output, Earlier);

        var (code, _, stderr) = await HostProcess.RunAsync(["replay", Artifacts.Sample("llm-session.jsonl"), "-q", "-o", output, "--no-summary"], folder.Path);

        Assert.True(code == 0, stderr);
        var said = stderr.IndexOf("already holds a session: adding this run after it", StringComparison.Ordinal);
        Assert.True(said >= 0, stderr);
        Assert.True(said < stderr.IndexOf("Appending events", StringComparison.Ordinal), stderr);
        var lines = File.ReadAllLines(output);
        Assert.Equal(Earlier.TrimEnd('\n'), lines[0]);
        Assert.True(lines.Length > 1);
        Assert.All(lines.Skip(1), line => Assert.StartsWith("{\"timestamp\":", line, StringComparison.Ordinal));
    }
}
