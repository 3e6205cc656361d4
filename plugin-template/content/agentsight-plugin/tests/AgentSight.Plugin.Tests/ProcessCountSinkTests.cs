using System.Text.Json;

namespace AgentSight.Plugin.Tests;

public sealed class ProcessCountSinkTests
{
    [Fact]
    public async Task Counts_every_event_per_process_and_writes_them_at_the_end()
    {
        var path = Path.Combine(Path.GetTempPath(), $"counts-{Guid.NewGuid():N}.json");
        var sink = new ProcessCountSink(new ProcessCountConfig { Path = path }, new PluginTestKit.Context());
        var events = PluginTestKit.Load();

        await sink.StartAsync(CancellationToken.None);
        foreach (var evt in events)
        {
            sink.Write(evt);
        }
        await sink.StopAsync(CancellationToken.None);
        await sink.StopAsync(CancellationToken.None);

        var counts = JsonSerializer.Deserialize<Dictionary<string, long>>(await File.ReadAllTextAsync(path))!;
        File.Delete(path);
        Assert.Equal(events.Count, counts.Values.Sum());
        Assert.Equal(events.GroupBy(e => $"{e.Comm}({e.Pid})").ToDictionary(g => g.Key, g => (long)g.Count()), counts);
    }

    [Fact]
    public void A_bad_configuration_names_its_key()
    {
        var errors = new ProcessCountConfig { Path = " ", LogTop = -1 }.Validate().Select(e => e.Key).ToList();

        Assert.Equal(["path", "log_top"], errors);
    }
}
