using AgentSight.Tests.Support;

namespace AgentSight.Tests.Integration;

/// <summary>The original tool's --ssl-filter, --http-filter and --disable-auth-removal on a command that runs a pipeline.</summary>
public sealed class OriginalFilterFlagsTests
{
    private const string Chain = """
        { "plugin": "ssl-filter" }, { "plugin": "http" }, { "plugin": "sse" }, { "plugin": "llm" },
        { "plugin": "http-filter" }, { "plugin": "redact" }, { "plugin": "console" }
        """;

    private static string[] Args(string plugins, string manifest, params string[] rest) =>
        ["--plugins", plugins, "--manifest", manifest, "replay", Artifacts.Sample("llm-session.jsonl"), "--no-summary", .. rest];

    [Fact]
    public async Task The_original_flags_set_the_filters_and_switch_redaction_off_with_a_warning()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "ssl-filter", "http", "sse", "llm", "http-filter", "redact");
        var manifest = Manifests.Write(temp, Chain);

        var (code, stdout, stderr) = await HostProcess.RunAsync(Args(plugins, manifest,
            "--ssl-filter", "is_handshake=true", "--http-filter", "request.host=api.openai.com", "--http-filter", "request.method=HEAD"));
        var (unredactedCode, unredacted, warning) = await HostProcess.RunAsync(Args(plugins, manifest, "--disable-auth-removal"));

        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("\"HANDSHAKE\"", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("api.openai.com", stdout, StringComparison.Ordinal);
        Assert.Contains("api.anthropic.com", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-ant-api03-FAKE-", stdout, StringComparison.Ordinal);
        Assert.True(unredactedCode == 0, warning);
        Assert.Contains("sk-ant-api03-FAKE-", unredacted, StringComparison.Ordinal);
        Assert.Contains("warning: --disable-auth-removal", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Filters_without_patterns_are_left_out_of_the_event_path_and_a_flag_puts_them_back()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "ssl-filter", "http", "sse", "llm", "http-filter", "redact");
        var manifest = Manifests.Write(temp, Chain);
        string[] Summary(string[] args) => [.. args.Where(a => a != "--no-summary")];

        var (code, stdout, stderr) = await HostProcess.RunAsync(Summary(Args(plugins, manifest)));
        var (filteredCode, filtered, filteredStderr) = await HostProcess.RunAsync(Summary(Args(plugins, manifest, "--ssl-filter", "is_handshake=true")));

        Assert.True(code == 0, stderr);
        Assert.Matches(@"\n\s*1\s+ssl-filter\s+ssl-filter\s+analyzer\s+bypassed\s+-\s+-", stderr);
        Assert.Matches(@"\n\s*5\s+http-filter\s+http-filter\s+analyzer\s+bypassed\s+-\s+-", stderr);
        Assert.Contains("\"HANDSHAKE\"", stdout, StringComparison.Ordinal);
        Assert.Contains("api.anthropic.com", stdout, StringComparison.Ordinal);
        Assert.True(filteredCode == 0, filteredStderr);
        Assert.Matches(@"\n\s*1\s+ssl-filter\s+ssl-filter\s+analyzer\s+stopped\s+\d", filteredStderr);
        Assert.DoesNotContain("\"HANDSHAKE\"", filtered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_flag_that_does_not_parse_stops_the_start()
    {
        using var temp = TempFolder.ForCaller();
        var plugins = Artifacts.MakePluginsFolder(temp, "console", "ssl-filter", "http", "sse", "llm", "http-filter", "redact");
        var manifest = Manifests.Write(temp, Chain);

        var (code, _, stderr) = await HostProcess.RunAsync(Args(plugins, manifest, "--http-filter", "request.method=HEAD |"));

        Assert.Equal(2, code);
        Assert.Contains("config.patterns[0]: cannot parse \"request.method=HEAD |\" at position 21", stderr, StringComparison.Ordinal);
    }
}
