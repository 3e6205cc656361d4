using System.Collections.Concurrent;
using System.Text;
using AgentSight.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Plugin.Tests;

/// <summary>What a test needs to run a plugin without the host: recorded events, a context, and an output.</summary>
public static class PluginTestKit
{
    /// <summary>The events of an NDJSON recording (AgentSight's format, or the original tool's), in order.</summary>
    public static List<AgentEvent> Load(string path = "sample.jsonl")
    {
        var events = new List<AgentEvent>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Trim().Length == 0)
            {
                continue;
            }
            if (!AgentEventJson.TryParse(Encoding.UTF8.GetBytes(line), out var evt, out var error))
            {
                throw new InvalidDataException($"{path}:{number}: {error}");
            }
            events.Add(evt);
        }
        return events;
    }

    /// <summary>Runs an analyzer over events as the host would: Process for each, then Flush.</summary>
    public static List<AgentEvent> Run(IAnalyzer analyzer, IEnumerable<AgentEvent> events)
    {
        var output = new Output();
        foreach (var evt in events)
        {
            analyzer.Process(evt, output);
        }
        analyzer.Flush(output);
        return output.Events;
    }

    /// <summary>An <see cref="IEventOutput"/> that keeps what is emitted.</summary>
    public sealed class Output : IEventOutput
    {
        public List<AgentEvent> Events { get; } = [];

        public void Emit(AgentEvent evt) => Events.Add(evt);
    }

    /// <summary>An <see cref="IStageContext"/> for tests: counters are kept, logs are dropped.</summary>
    public sealed class Context : IStageContext, IPipelineClock, IPipelineMetrics
    {
        private readonly ConcurrentDictionary<string, Counter> _counters = new();

        public string StageId => "test";

        public ILogger Logger { get; init; } = NullLogger.Instance;

        public IPipelineClock Clock => this;

        public IPipelineMetrics Metrics => this;

        public long Now { get; set; }

        public bool IsEventTime => true;

        public Counter Counter(string name) => _counters.GetOrAdd(name, n => new Counter(n));

        public PipelineMetricsSnapshot Snapshot() => new() { TakenAt = DateTimeOffset.UtcNow, Sources = [], Stages = [] };
    }
}
