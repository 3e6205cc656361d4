using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Manifest;

namespace AgentSight.Tests.Manifest;

public sealed class ConfigBinderTests
{
    public enum Mode
    {
        Drain,
        EveryEvent,
    }

    public sealed class SampleConfig : PluginConfig
    {
        public string Path { get; set; } = "events.jsonl";

        public int MaxFiles { get; set; } = 5;

        public double MaxSizeMb { get; set; }

        public Mode Flush { get; set; }

        public List<string> Patterns { get; set; } = [];

        public override IEnumerable<ConfigError> Validate()
        {
            if (MaxFiles < 1)
            {
                yield return new ConfigError("max_files", $"must be at least 1 (got {MaxFiles})");
            }
        }
    }

    private sealed class SampleFactory : SinkFactory<SampleConfig>
    {
        public override string Description => "sample";

        protected override ISink Create(SampleConfig config, IStageContext context) => throw new NotSupportedException();
    }

    private static (SampleConfig? Config, List<string> Problems) Bind(string? json)
    {
        var problems = new List<string>();
        var config = ConfigBinder.Bind(new SampleFactory(), json is null ? null : JsonNode.Parse(json)!.AsObject(), problems.Add);
        return ((SampleConfig?)config, problems);
    }

    [Fact]
    public void No_section_gives_the_defaults()
    {
        var (config, problems) = Bind(null);

        Assert.Empty(problems);
        Assert.Equal(("events.jsonl", 5), (config!.Path, config.MaxFiles));
    }

    [Fact]
    public void Snake_case_keys_and_enum_spellings_bind()
    {
        var (snake, _) = Bind("""{ "path": "x", "max_files": 2, "max_size_mb": 1.5, "flush": "every_event", "patterns": ["a"] }""");
        var (kebab, _) = Bind("""{ "flush": "every-event" }""");

        Assert.Equal(("x", 2, 1.5, Mode.EveryEvent), (snake!.Path, snake.MaxFiles, snake.MaxSizeMb, snake.Flush));
        Assert.Equal(["a"], snake.Patterns);
        Assert.Equal(Mode.EveryEvent, kebab!.Flush);
    }

    [Theory]
    [InlineData("""{ "max_file": 2 }""", "config: unknown key \"max_file\" (known: path, max_files, max_size_mb, flush, patterns) (did you mean \"max_files\"?)")]
    [InlineData("""{ "max_files": "two" }""", "config.max_files: expected a whole number (got \"two\")")]
    [InlineData("""{ "max_files": 1.5 }""", "config.max_files: expected a whole number (got 1.5)")]
    [InlineData("""{ "flush": "sometimes" }""", "config.flush: expected one of \"drain\", \"every_event\" (got \"sometimes\")")]
    [InlineData("""{ "path": null }""", "config.path: expected a string (got null)")]
    [InlineData("""{ "max_files": 0 }""", "config.max_files: must be at least 1 (got 0)")]
    [InlineData("""{ "patterns": "a" }""", "config.patterns: expected a list (got \"a\")")]
    public void Each_mistake_names_its_key(string json, string expected)
    {
        var (config, problems) = Bind(json);

        Assert.Null(config);
        Assert.Equal(expected, Assert.Single(problems));
    }
}
