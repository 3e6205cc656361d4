using System.Runtime.InteropServices;

namespace AgentSight.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/AgentSight.Benchmarks -- bus [--events N] [--runs N]</c>, or
/// <c>analyzers [--calls N] [--runs N] [--warmup N] [--core] [--streams N]</c>, <c>stages [--calls N] [--runs N]</c>, <c>redact [--calls N] [--runs N]</c>, or
/// <c>transports [--calls N] [--runs N] [--warmup N] [--stages]</c>, or <c>capture [--requests N] [--runs N] [--sink file|null]</c> (as root).
/// Console harnesses rather than BenchmarkDotNet: each scenario is a whole pipeline with its own tasks, measured
/// end to end over millions of events.
/// </summary>
internal static class BenchmarkCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var scenario = args.FirstOrDefault() ?? "bus";
        var events = IntOption(args, "--events", 5_000_000);
        var runs = IntOption(args, "--runs", 5);
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, " +
                          $"GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}");
        switch (scenario)
        {
            case "bus":
                await BusBenchmark.RunAsync(events, runs);
                return 0;
            case "analyzers":
                await AnalyzerBenchmark.RunAsync(IntOption(args, "--calls", 4000), runs, IntOption(args, "--warmup", 2), args.Contains("--core"),
                    IntOption(args, "--streams", 1000));
                return 0;
            case "stages":
                StageProfileBenchmark.Run(IntOption(args, "--calls", 4000), runs);
                return 0;
            case "redact":
                await RedactBenchmark.RunAsync(IntOption(args, "--calls", 2000), runs);
                return 0;
            case "transports":
                await TransportBenchmark.RunAsync(IntOption(args, "--calls", 1000), runs, IntOption(args, "--warmup", 1), args.Contains("--stages"));
                return 0;
            case "capture":
                var sinkIndex = Array.IndexOf(args, "--sink");
                var sink = sinkIndex >= 0 && sinkIndex + 1 < args.Length ? args[sinkIndex + 1] : "file";
                return await CaptureBenchmark.RunAsync(IntOption(args, "--requests", 2000), runs, sink);
            default:
                Console.Error.WriteLine($"unknown scenario \"{scenario}\" (known: bus, analyzers, stages, redact, transports, capture)");
                return 2;
        }
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
    }
}
