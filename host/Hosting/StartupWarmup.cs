using System.Text.Json;
using System.Text.Json.Nodes;
using AgentSight.Contracts;
using AgentSight.Host.Manifest;

namespace AgentSight.Host.Hosting;

/// <summary>
/// Readies, on a thread of its own while Main parses the command line, what every run needs later and pays for on
/// first use: System.Text.Json's reflection serializer, which binds every plugin's configuration.
/// </summary>
/// <remarks>
/// Its first use costs about 45 ms of CPU (building converters and compiling their generic code) and comes on the
/// start-up's critical path; the second core is mostly idle until the BPF objects and plugins load. Whatever the
/// warm-up has not finished when the run gets there is simply done by the run.
/// </remarks>
internal static class StartupWarmup
{
    public static void Begin()
    {
        var thread = new Thread(Run, maxStackSize: 1024 * 1024) { IsBackground = true, Name = "agentsight-warmup" };
        thread.Start();
    }

    private static void Run()
    {
        try
        {
            var section = new JsonObject
            {
                ["name"] = "x",
                ["count"] = 1,
                ["limit"] = 2,
                ["ratio"] = 0.5,
                ["enabled"] = true,
                ["names"] = new JsonArray("a"),
                ["mode"] = "second",
            };
            _ = section.Deserialize<WarmupConfig>(ConfigBinder.Options);
            _ = ConfigBinder.KnownKeys(typeof(WarmupConfig));
        }
        catch (Exception)
        {
            // Only a warm-up: the run does the same work and reports what fails.
        }
    }

    /// <summary>A configuration with the kinds of properties plugins' configurations have.</summary>
    private sealed class WarmupConfig : PluginConfig
    {
        public string Name { get; set; } = string.Empty;

        public int Count { get; set; }

        public long Limit { get; set; }

        public ulong Bytes { get; set; }

        public double Ratio { get; set; }

        public bool Enabled { get; set; }

        public int? Optional { get; set; }

        public TimeSpan Interval { get; set; }

        public List<string> Names { get; set; } = [];

        public string[] Patterns { get; set; } = [];

        public Dictionary<string, string> Headers { get; set; } = [];

        public WarmupMode Mode { get; set; }
    }

    private enum WarmupMode
    {
        First,
        Second,
    }
}
