using AgentSight.Contracts;

namespace AgentSight.Plugin.Tests;

public sealed class DropPathsAnalyzerTests
{
    private static string? RequestPath(AgentEvent evt) => evt.Fields?["request"]?["path"]?.GetValue<string>();

    [Fact]
    public void Health_checks_are_dropped_and_everything_else_goes_on()
    {
        var events = PluginTestKit.Load();
        var context = new PluginTestKit.Context();
        var analyzer = new DropPathsAnalyzer(new DropPathsConfig(), context);

        var output = PluginTestKit.Run(analyzer, events);

        Assert.DoesNotContain(output, e => RequestPath(e) is "/health" or "/healthz?verbose=1" or "/health/db");
        Assert.Contains(output, e => RequestPath(e) == "/v1/messages");
        Assert.Contains(output, e => RequestPath(e) == "/healthcheck");
        Assert.Equal(events.Count - 3, output.Count);
        Assert.Equal(3, context.Counter("dropped").Value);
    }

    [Fact]
    public void Exact_matching_keeps_paths_below_a_listed_one()
    {
        var analyzer = new DropPathsAnalyzer(new DropPathsConfig { MatchPrefix = false }, new PluginTestKit.Context());

        var output = PluginTestKit.Run(analyzer, PluginTestKit.Load());

        Assert.Contains(output, e => RequestPath(e) == "/health/db");
        Assert.DoesNotContain(output, e => RequestPath(e) == "/health");
    }

    [Theory]
    [InlineData("health", "paths")]
    public void A_bad_configuration_names_its_key(string path, string key)
    {
        var errors = new DropPathsConfig { Paths = [path] }.Validate().ToList();

        Assert.Equal(key, Assert.Single(errors).Key);
    }

    [Fact]
    public void An_empty_list_is_refused()
    {
        Assert.Single(new DropPathsConfig { Paths = [] }.Validate());
    }
}
