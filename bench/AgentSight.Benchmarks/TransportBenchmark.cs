using System.Globalization;
using AgentSight.Contracts;

namespace AgentSight.Benchmarks;

/// <summary>
/// The default analyzer chain over the same streamed calls recorded from real clients over HTTP/1.1, HTTP/2 and the
/// Responses API's WebSocket transport (<see cref="TransportWorkload"/>): MB/s of plaintext and events/s through the
/// real bus, each transport's runs interleaved with the others' so a busy machine weighs on all of them alike.
/// </summary>
internal static class TransportBenchmark
{
    public static async Task RunAsync(int calls, int runs, int warmups, bool byStage)
    {
        var plugins = BenchPlugins.Prepare("transports", [.. BenchPlugins.DefaultChain, "null-sink"]);
        try
        {
            var stages = string.Join(", ", BenchPlugins.DefaultChain.Select(name => $$"""{ "plugin": "{{name}}" }"""));
            var plan = BenchPlugins.Plan(plugins, $$"""{ "stages": [ {{stages}}, { "plugin": "null-sink" } ] }""");
            Console.WriteLine();
            Console.WriteLine($"Recording {calls:N0} streamed Responses API calls (about 10 KB asked, 40 text deltas answered) over each transport...");
            var recordings = new Dictionary<Transport, (AgentEvent[] Events, long Plaintext)>();
            foreach (var transport in Enum.GetValues<Transport>())
            {
                var events = await TransportWorkload.RecordAsync(transport, calls);
                recordings[transport] = (events, events.Sum(e => e.Data is TlsPayload t ? (long)t.Bytes.Length : 0));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {transport,-17} {events.Length,9:N0} ssl events  {recordings[transport].Plaintext / 1e6,7:N1} MB of plaintext"));
            }
            if (byStage)
            {
                // Where each transport's time goes, stage by stage, without the bus.
                foreach (var (transport, (events, _)) in recordings)
                {
                    StageProfileBenchmark.Profile(plan, events, $"{transport}, {calls:N0} calls", runs);
                }
                return;
            }
            Console.WriteLine($"{string.Join(" -> ", BenchPlugins.DefaultChain)} -> discarding sink, {runs} runs after {warmups} warm-up runs, interleaved");
            var throughput = Enum.GetValues<Transport>().ToDictionary(t => t, _ => new List<double>());
            var eventRates = Enum.GetValues<Transport>().ToDictionary(t => t, _ => new List<double>());
            var llm = new Dictionary<Transport, long>();
            var callRates = Enum.GetValues<Transport>().ToDictionary(t => t, _ => new List<double>());
            var busy = new Dictionary<Transport, string>();
            for (var run = 1 - warmups; run <= runs; run++)
            {
                foreach (var (transport, (events, plaintext)) in recordings)
                {
                    var result = await AnalyzerBenchmark.RunOnce(plan, events, plaintext);
                    llm[transport] = result.LlmEvents;
                    busy[transport] = AnalyzerBenchmark.Busy;
                    if (run > 0)
                    {
                        callRates[transport].Add(calls / result.Seconds);
                        throughput[transport].Add(plaintext / 1e6 / result.Seconds);
                        eventRates[transport].Add(events.Length / result.Seconds);
                    }
                }
            }
            Console.WriteLine("  transport          MB/s plaintext (median, min-max)   calls/s (median)   events/s (median)   llm events");
            foreach (var transport in Enum.GetValues<Transport>())
            {
                var mbs = throughput[transport].Order().ToList();
                var rates = eventRates[transport].Order().ToList();
                var perCall = callRates[transport].Order().ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {transport,-17} {mbs[mbs.Count / 2],8:N1} ({mbs[0]:N1}-{mbs[^1]:N1}) {perCall[perCall.Count / 2],22:N0} {rates[rates.Count / 2],18:N0} {llm[transport],12:N0}"));
                Console.WriteLine($"      busy: {busy[transport]}");
            }
        }
        finally
        {
            Directory.Delete(plugins, recursive: true);
        }
    }
}
