using System.Text.RegularExpressions;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Analyzers.Redact;

/// <summary>The three plugins in the real host, loaded from the build like any plugin, as a user runs them.</summary>
public sealed partial class FiltersAndRedactionHostTests
{
    private static string[] Args(string plugins, string manifest, params string[] rest) => ["--plugins", plugins, "--manifest", manifest, .. rest];

    [Fact]
    public async Task Replaying_a_recorded_session_through_redact_shows_no_key_and_loses_no_event()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "ssl-filter", "http-filter", "redact");
        var manifest = Manifests.Write(temp, """{ "plugin": "ssl-filter" }""", """{ "plugin": "http-filter" }""", """{ "plugin": "redact" }""",
            """{ "plugin": "console" }""");
        var sample = Artifacts.Sample("llm-session.jsonl");
        var keys = FakeKeys().Matches(File.ReadAllText(sample)).Select(m => m.Value).Distinct().ToList();
        Assert.True(keys.Count >= 3, "the sample holds keys of three providers");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", sample));

        Assert.True(code == 0, stderr);
        Assert.Equal(File.ReadLines(sample).Count(), stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        foreach (var key in keys)
        {
            RedactHarness.AssertNoPartOf(key, stdout, key.IndexOf("FAKE", StringComparison.Ordinal) + 4, window: 10);
        }
        Assert.Contains("[REDACTED:header]", stdout, StringComparison.Ordinal);
        Assert.Matches(@"redact +analyzer .* events_redacted=\d+", stderr);
    }

    [Fact]
    public async Task The_original_collector_log_is_filtered_and_redacted_in_every_kind_of_event()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "ssl-filter", "http-filter", "redact");
        var manifest = Manifests.Write(temp,
            """{ "plugin": "ssl-filter", "config": { "patterns": ["is_handshake=true"] } }""",
            """{ "plugin": "http-filter", "config": { "patterns": ["response.status_code=200"] } }""",
            """{ "plugin": "redact" }""", """{ "plugin": "console" }""");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", Artifacts.Sample("original/collector.log"), "--no-summary"));

        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("collector-sample-key", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\"HANDSHAKE\"", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\"status_code\":200", stdout, StringComparison.Ordinal);
        Assert.Contains("\"message_type\":\"request\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_that_does_not_parse_stops_the_start_with_one_clear_line()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "ssl-filter", "http-filter", "redact");
        var manifest = Manifests.Write(temp,
            """{ "plugin": "ssl-filter", "config": { "patterns": ["len>10", "data~a | (len<"] } }""",
            """{ "plugin": "http-filter", "config": { "patterns": ["request.method=HEAD ||"] } }""",
            """{ "plugin": "redact", "config": { "extra_patterns": { "x": "(" } } }""", """{ "plugin": "console" }""");

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "replay", Artifacts.Sample("llm-session.jsonl")));

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("stage 1 (\"ssl-filter\"): config.patterns[1]: cannot parse \"data~a | (len<\" at position 15: len takes a whole number",
            stderr, StringComparison.Ordinal);
        Assert.Contains("stage 2 (\"http-filter\"): config.patterns[0]: cannot parse \"request.method=HEAD ||\" at position 22: empty alternative",
            stderr, StringComparison.Ordinal);
        Assert.Contains("stage 3 (\"redact\"): config.extra_patterns.x: not a valid regular expression", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"(sk-ant-api03-FAKE-|sk-proj-FAKE|AIzaSyFAKE)[A-Za-z0-9_-]+")]
    private static partial Regex FakeKeys();
}
