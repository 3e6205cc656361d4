using System.Text.RegularExpressions;
using AgentSight.Tests.Agents;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>
/// A program a recording has not looked into is stopped at its exec until it is probed; one in which an earlier recording
/// probed TLS, unchanged since, is probed at the start and runs at once (a program's probes are attached for every
/// process that runs it, scoped probes or not: only libraries are probed per process); it is seen from its first
/// connection either way.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed partial class HeldAtExecTests
{
    [Theory]
    [InlineData("")]
    [InlineData("--probe-scope all")]
    public async Task A_program_an_earlier_recording_probed_for_TLS_is_probed_at_the_start_and_not_held_at_its_exec(string options)
    {
        var (first, second) = await RecordTwiceAsync(options.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.True(first.HeldAtExec >= 1, $"the first recording held {first.HeldAtExec} processes:\n{first.Stderr}");
        Assert.Equal(0, second.HeldAtExec);
    }

    /// <summary>Records a shell that runs a Go HTTPS client twice, twice with the same discovery cache; each recording's clients are seen whole.</summary>
    private static async Task<(Recording First, Recording Second)> RecordTwiceAsync(string[] options)
    {
        var client = await GoProgram.BuildAsync(GoProgram.HttpsClient);
        using var recorder = Recorder.Create();
        await using var endpoint = await AgentEndpoint.StartAsync(recorder.Folder.Combine("endpoint"));
        var run = $"{client} {endpoint.BaseUrl} {endpoint.CaCertificatePath}";
        var cache = new Dictionary<string, string> { ["AGENTSIGHT_CACHE_DIR"] = recorder.Folder.Combine("cache") };

        // The client connects within milliseconds of its exec, run by a shell (not as the recorded command, which is
        // probed before it starts). Twice with the same cache folder: first never seen, then seen by the first run.
        var first = await RecordAsync(recorder, "first.jsonl", run, cache, options);
        var second = await RecordAsync(recorder, "second.jsonl", run, cache, options);

        foreach (var recording in new[] { first, second })
        {
            var clients = recording.Events.Where(e => e.Kind == "EXEC" && (string?)e.Data["filename"] == client).Select(e => e.Pid).ToList();
            Assert.Equal(2, clients.Count);
            Assert.Equal(clients, recording.Events.Where(e => e.Source == "llm").Select(e => e.Pid));
            Assert.DoesNotContain(recording.Events, e => e.Kind == "TLS_UNSEEN");
        }
        return (first, second);
    }

    private static async Task<Recording> RecordAsync(Recorder recorder, string name, string run, Dictionary<string, string> environment, string[] options)
    {
        var session = recorder.Folder.Combine(name);
        var (code, stdout, stderr) = await HostProcess.RunAsync(
            ["--plugins", Artifacts.PluginsDirectory, "record", "--no-server", "-q", .. options, "-o", session, "--", "/bin/sh", "-c", $"{run} && {run}"],
            recorder.Folder.Path, TimeSpan.FromSeconds(120), environment);
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        Assert.Contains("Pipeline summary", stderr, StringComparison.Ordinal);
        // The summary's process line: "  process   40        held_at_exec=2" (a counter shows only when not zero).
        var held = HeldCounter().Match(stderr);
        return new Recording(CapturedEvent.ReadSession(session), held.Success ? int.Parse(held.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0, stderr);
    }

    private sealed record Recording(IReadOnlyList<CapturedEvent> Events, int HeldAtExec, string Stderr);

    [GeneratedRegex(@"^\s+process\s.*\bheld_at_exec=(\d+)", RegexOptions.Multiline)]
    private static partial Regex HeldCounter();
}
