using AgentSight.Host.Manifest;

namespace AgentSight.Tests.Manifest;

public sealed class ManifestEditorTests
{
    private const string Original = """
        // header comment
        {
          "stages": [
            // the console
            { "plugin": "console", "config": { "format": "json" } }, // trailing comment
            /* the file */
            { "plugin": "file", "enabled": false, "config": { "path": "x" } }
          ]
        }

        """;

    private static ManifestEditor.StageSpan Stage(ManifestEditor editor, string id) => editor.Stages.Single(s => s.EffectiveId == id);

    [Fact]
    public void Finds_every_stage_with_its_plugin_and_id()
    {
        var editor = ManifestEditor.FromText(Original);

        Assert.Equal(["console", "file"], editor.Stages.Select(s => s.EffectiveId));
    }

    [Fact]
    public void Disabling_and_enabling_touch_only_the_enabled_value()
    {
        var editor = ManifestEditor.FromText(Original);

        editor.SetEnabled(Stage(editor, "file"), true);
        editor.SetEnabled(Stage(editor, "console"), false);

        Assert.Equal(Original
            .Replace("\"enabled\": false", "\"enabled\": true", StringComparison.Ordinal)
            .Replace("{ \"plugin\": \"console\"", "{ \"enabled\": false, \"plugin\": \"console\"", StringComparison.Ordinal), editor.Text);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Inserting_keeps_every_comment_and_gives_a_manifest_that_reads(int index)
    {
        var editor = ManifestEditor.FromText(Original);

        editor.Insert(index, """{ "plugin": "probe", "config": {} }""");

        Assert.Equal(index switch { 0 => ["probe", "console", "file"], 1 => ["console", "probe", "file"], _ => ["console", "file", "probe"] },
            editor.Stages.Select(s => s.EffectiveId));
        foreach (var comment in new[] { "// header comment", "// the console", "// trailing comment", "/* the file */" })
        {
            Assert.Contains(comment, editor.Text, StringComparison.Ordinal);
        }
        var problems = new List<ManifestProblem>();
        Assert.NotNull(ManifestReader.Parse("m", editor.Text, problems));
        Assert.Empty(problems);
    }

    [Fact]
    public void A_stage_inserted_before_another_goes_above_that_ones_comment()
    {
        var editor = ManifestEditor.FromText(Original);

        editor.Insert(0, """{ "plugin": "probe" }""");

        Assert.Contains("[\n    { \"plugin\": \"probe\" },\n    // the console\n    { \"plugin\": \"console\"", editor.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Inserting_into_an_empty_list_and_after_a_trailing_comma_works()
    {
        var empty = ManifestEditor.FromText("{ \"stages\": [] }");
        var trailing = ManifestEditor.FromText("{ \"stages\": [ { \"plugin\": \"a\" }, ] }");

        empty.Insert(0, """{ "plugin": "a" }""");
        trailing.Insert(1, """{ "plugin": "b" }""");

        Assert.Equal(["a"], empty.Stages.Select(s => s.EffectiveId));
        Assert.Equal(["a", "b"], trailing.Stages.Select(s => s.EffectiveId));
    }

    [Theory]
    [InlineData("console")]
    [InlineData("file")]
    public void Removing_a_stage_leaves_the_others_and_their_comments(string removed)
    {
        var editor = ManifestEditor.FromText(Original);

        editor.Remove(Stage(editor, removed));

        Assert.Equal([removed == "console" ? "file" : "console"], editor.Stages.Select(s => s.EffectiveId));
        Assert.Contains("// header comment", editor.Text, StringComparison.Ordinal);
        Assert.DoesNotContain($"\"plugin\": \"{removed}\"", editor.Text, StringComparison.Ordinal);
        var problems = new List<ManifestProblem>();
        Assert.NotNull(ManifestReader.Parse("m", editor.Text, problems));
        Assert.Empty(problems);
    }

    [Fact]
    public void Setting_a_string_adds_or_replaces_it()
    {
        var editor = ManifestEditor.FromText(Original);

        editor.SetString(Stage(editor, "file"), "sha256", "ab");
        editor.SetString(Stage(editor, "file"), "sha256", "cd");

        Assert.Contains("{ \"sha256\": \"cd\", \"plugin\": \"file\"", editor.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_manifest_starts_empty()
    {
        var editor = ManifestEditor.Open("/nonexistent/manifest.json");

        Assert.Empty(editor.Stages);
    }
}
