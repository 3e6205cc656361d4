using AgentSight.Contracts;
using AgentSight.Host.Manifest;
using AgentSight.Host.Pipeline;

namespace AgentSight.Tests.Manifest;

public sealed class ManifestReaderTests
{
    private static (PipelineManifest? Manifest, List<ManifestProblem> Problems) Parse(string text)
    {
        var problems = new List<ManifestProblem>();
        return (ManifestReader.Parse("m.json", text, problems), problems);
    }

    [Fact]
    public void Reads_stages_in_order_with_their_settings_and_comments_allowed()
    {
        var (manifest, problems) = Parse("""
            // comment
            {
              "stages": [
                { "plugin": "probe", "id": "first", "queue_capacity": 8, "backpressure": "drop-oldest", "max_failures": 2, "on_error": "drop" },
                { "plugin": "console", "enabled": false, "config": { "format": "pretty" } }, // trailing comma next
              ],
            }
            """);

        Assert.Empty(problems);
        Assert.NotNull(manifest);
        Assert.Equal(["first", "console"], manifest.Stages.Select(s => s.Id));
        var first = manifest.Stages[0];
        Assert.Equal((8, Backpressure.DropOldest, 2, OnError.Drop), (first.QueueCapacity, first.Backpressure!.Value, first.MaxFailures, first.OnError!.Value));
        Assert.False(manifest.Stages[1].Enabled);
        Assert.Equal("pretty", manifest.Stages[1].Config!["format"]!.GetValue<string>());
    }

    [Fact]
    public void Malformed_json_is_reported_with_line_and_column()
    {
        var (manifest, problems) = Parse("{\n  \"stages\": [\n    { \"plugin\": \"console\" \n  ]\n}");

        Assert.Null(manifest);
        var problem = Assert.Single(problems);
        Assert.StartsWith("m.json:4:", problem.ToString(), StringComparison.Ordinal);
        Assert.Contains("malformed JSON", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mistake_is_reported_with_its_stage()
    {
        var (manifest, problems) = Parse("""
            { "stages": [
                { "plugin": "a", "enable": true },
                { "plugin": "b", "backpressure": "drop" },
                { "plugin": "c", "queue_capacity": 0 },
                { "plugin": "a" },
                { "id": "x" },
                "console"
            ] }
            """);

        // The stages that could be read are kept, so resolving them can report their plugin and config mistakes too.
        Assert.Equal(["a", "b", "c"], manifest!.Stages.Select(s => s.Id));
        var lines = problems.Select(p => p.ToString()).ToList();
        Assert.Contains(lines, l => l.StartsWith("m.json: stage 1 (\"a\"): unknown key \"enable\"", StringComparison.Ordinal) && l.Contains("did you mean \"enabled\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("m.json: stage 2 (\"b\"): \"backpressure\" must be one of", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("m.json: stage 3 (\"c\"): \"queue_capacity\" must be a whole number from 1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("m.json: stage 4 (\"a\"): duplicate id: stage 1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("m.json: stage 5 (\"x\"): needs \"plugin\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("m.json: stage 6 (\"?\"): must be an object", StringComparison.Ordinal));
        Assert.Equal(6, problems.Count);
    }

    [Fact]
    public void Two_stages_of_one_plugin_need_distinct_ids()
    {
        var (manifest, problems) = Parse("""{ "stages": [ { "plugin": "file", "id": "file/raw" }, { "plugin": "file" } ] }""");

        Assert.Empty(problems);
        Assert.Equal(["file/raw", "file"], manifest!.Stages.Select(s => s.Id));
    }

    [Theory]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("{}", "needs a \"stages\" list")]
    [InlineData("{\"stages\": [], \"stagse\": 1}", "unknown key \"stagse\" at the top level")]
    public void The_top_level_shape_is_checked(string text, string expected)
    {
        var (_, problems) = Parse(text);

        Assert.Contains(problems, p => p.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_file_says_how_to_point_at_another()
    {
        var problems = new List<ManifestProblem>();

        var manifest = ManifestReader.Read("/nonexistent/dir/manifest.json", problems);

        Assert.Null(manifest);
        Assert.Contains("--manifest", Assert.Single(problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overrides_enable_disable_and_set_values_and_report_unknown_stages()
    {
        var (manifest, _) = Parse("""{ "stages": [ { "plugin": "console" }, { "plugin": "file", "enabled": false }, { "plugin": "Acme.Drop" } ] }""");
        var overrides = new PipelineOverrides();
        overrides.Disable.Add("console");
        overrides.Enable.Add("file");
        overrides.Set.Add("file.path=out.jsonl");
        overrides.Set.Add("file.max_files=3");
        overrides.Set.Add("file.nested.deep=true");
        overrides.Set.Add("fiel.path=x");
        overrides.Set.Add("nodot=1");
        overrides.Set.Add("Acme.Drop.paths=[\"/x\"]");
        var problems = new List<ManifestProblem>();

        overrides.ApplyTo(manifest!, problems);

        Assert.False(manifest!.Stages[0].Enabled);
        var file = manifest.Stages[1];
        Assert.True(file.Enabled);
        Assert.Equal("out.jsonl", file.Config!["path"]!.GetValue<string>());
        Assert.Equal(3, file.Config["max_files"]!.GetValue<int>());
        Assert.True(file.Config["nested"]!["deep"]!.GetValue<bool>());
        Assert.Equal("/x", manifest.Stages[2].Config!["paths"]![0]!.GetValue<string>());
        Assert.Equal(2, problems.Count);
        Assert.Contains("did you mean \"file\"", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("STAGE.KEY=VALUE", problems[1].Message, StringComparison.Ordinal);
    }
}
