using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using AgentSight.Host.Capture;
using AgentSight.Host.Manifest;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Plugins;
using AgentSight.Host.Runners;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Benchmarks;

/// <summary>
/// <c>capture [--requests N] [--runs N] [--sink file|null]</c> (as root): the cost of live capture on the issue's workload (see
/// <see cref="CaptureWorkload"/>), four ways, interleaved run by run so that a noisy machine affects each alike:
/// untraced; traced by the host (in this process: the BPF programs, the ring-buffer reader and the real pipeline
/// with the file sink writing NDJSON); traced with every probe on the exported entry points, where the original tool
/// put them (the probes' own cost on this machine, a floor for the original, which also formats JSON in C and parses
/// it again in Rust); and "bystander", with the probes attached but the workload outside the traced set (what every
/// other process on the machine pays while a recording runs). The pipeline ends in the file sink (what <c>record</c>
/// does) or, with <c>--sink null</c>, in a sink that only counts, to separate capture's own cost from NDJSON's.
/// </summary>
/// <remarks>
/// The traced and bystander modes also run a second time with the io program attached (plaintext sockets and
/// JSON-RPC stdio, as <c>record</c> runs it): the workload's sockets carry TLS, so that is what the io program costs a
/// process that uses no plaintext socket or pipe (an A/B in the same run).
/// </remarks>
internal static class CaptureBenchmark
{
    private static string s_sink = "file";

    public static async Task<int> RunAsync(int requests, int runs, string sink)
    {
        s_sink = sink;
        if (new Preflight().Check(needTracefs: true, needUprobes: true) is { } problem)
        {
            Console.Error.WriteLine($"capture benchmark: {problem}");
            return 1;
        }
        var folder = Directory.CreateTempSubdirectory("agentsight-capture-bench-").FullName;
        try
        {
            var (script, cert, key) = Prepare(folder);
            var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
            Console.WriteLine();
            Console.WriteLine($"capture: {requests:N0} HTTPS requests over one kept-alive connection, Python client and server on loopback, both traced; "
                + $"{runs} runs after 1 warm-up, each mode in turn; pipeline: {(sink == "null" ? "a sink that counts" : "the file sink (NDJSON)")}");
            Console.WriteLine("  run  untraced us/req  traced us/req  traced+io us/req  entry-probes us/req  bystander us/req  bystander+io us/req  expected  captured  lost  host CPU us/event");
            var untraced = new List<double>();
            var traced = new List<double>();
            var atEntry = new List<double>();
            var bystander = new List<double>();
            var tracedIo = new List<double>();
            var bystanderIo = new List<double>();
            var cpuPerEvent = new List<double>();
            long expectedTotal = 0, capturedTotal = 0, lostTotal = 0;
            for (var run = 0; run <= runs; run++)
            {
                var plain = Workload(python, script, requests, cert, key, folder);
                var captured = await TracedAsync(python, script, requests, cert, key, folder, probeInternalFunctions: true);
                var capturedIo = await TracedAsync(python, script, requests, cert, key, folder, probeInternalFunctions: true, io: true);
                var entry = await TracedAsync(python, script, requests, cert, key, folder, probeInternalFunctions: false);
                var watching = await BystanderAsync(python, script, requests, cert, key, folder);
                var watchingIo = await BystanderAsync(python, script, requests, cert, key, folder, io: true);
                if (run == 0)
                {
                    continue;
                }
                untraced.Add(plain.PerRequestUs);
                traced.Add(captured.PerRequestUs);
                atEntry.Add(entry.PerRequestUs);
                bystander.Add(watching.PerRequestUs);
                tracedIo.Add(capturedIo.PerRequestUs);
                bystanderIo.Add(watchingIo.PerRequestUs);
                cpuPerEvent.Add(captured.HostCpuUs / Math.Max(1, captured.Captured));
                expectedTotal += captured.Expected;
                capturedTotal += captured.Captured;
                lostTotal += captured.Lost;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {run,3}  {plain.PerRequestUs,15:F1}  {captured.PerRequestUs,13:F1}  {capturedIo.PerRequestUs,16:F1}  {entry.PerRequestUs,19:F1}  {watching.PerRequestUs,16:F1}  {watchingIo.PerRequestUs,19:F1}  {captured.Expected,8:N0}  {captured.Captured,8:N0}  {captured.Lost,4:N0}  {captured.HostCpuUs / Math.Max(1, captured.Captured),17:F2}"));
            }
            double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
            var overhead = (Median(traced) / Median(untraced)) - 1;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  median: untraced {Median(untraced):F1} us/request, traced {Median(traced):F1} us/request (+{overhead:P0}), probes at the entry points {Median(atEntry):F1} us/request (+{(Median(atEntry) / Median(untraced)) - 1:P0}), bystander {Median(bystander):F1} us/request (+{(Median(bystander) / Median(untraced)) - 1:P0})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  with the io program (sockets and stdio): traced {Median(tracedIo):F1} us/request ({(Median(tracedIo) / Median(traced)) - 1:+0.0%;-0.0%} against traced), bystander {Median(bystanderIo):F1} us/request ({(Median(bystanderIo) / Median(bystander)) - 1:+0.0%;-0.0%} against bystander)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  events: {expectedTotal:N0} expected, {capturedTotal:N0} captured, {lostTotal:N0} lost; host CPU {Median(cpuPerEvent):F2} us per captured event (median)"));
            await DrainAsync(python, script, requests * 10, cert, key, folder);
            return lostTotal == 0 && capturedTotal == expectedTotal ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (string Script, string Cert, string Key) Prepare(string folder)
    {
        var script = Path.Combine(folder, "workload.py");
        File.WriteAllText(script, CaptureWorkload.Script);
        var cert = Path.Combine(folder, "cert.pem");
        var key = Path.Combine(folder, "key.pem");
        using var openssl = Process.Start(new ProcessStartInfo("openssl")
        {
            ArgumentList = { "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost" },
            RedirectStandardError = true,
        })!;
        openssl.StandardError.ReadToEnd();
        openssl.WaitForExit();
        return (script, cert, key);
    }

    private static (double PerRequestUs, long Calls) ReadResult(string path)
    {
        var result = JsonNode.Parse(File.ReadAllText(path))!;
        return ((double)result["per_request_us"]!, (long)result["calls"]!);
    }

    private static (double PerRequestUs, long Calls) Workload(string python, string script, int requests, string cert, string key, string folder)
    {
        var output = Path.Combine(folder, "untraced.json");
        using var process = Process.Start(python, [script, requests.ToString(CultureInfo.InvariantCulture), cert, key, output])!;
        process.WaitForExit();
        return ReadResult(output);
    }

    private static async Task<(double PerRequestUs, long Expected, long Captured, long Lost, double HostCpuUs)> TracedAsync(
        string python, string script, int requests, string cert, string key, string folder, bool probeInternalFunctions, bool io = false)
    {
        var output = Path.Combine(folder, "traced.json");
        var options = new CaptureOptions
        {
            Tls = true,
            ProcessEvents = ProcessEmit.All,
            Handshakes = true,
            ProbeInternalFunctions = probeInternalFunctions,
            Sockets = io,
            Stdio = io ? StdioCapture.JsonRpc : StdioCapture.Off,
            Command = [python, script, requests.ToString(CultureInfo.InvariantCulture), cert, key, output],
        };
        var sessionFile = Path.Combine(folder, "session.jsonl");
        var pipeline = await StartPipelineAsync(sessionFile);
        var tls = new RunnerMetrics("ssl");
        var process = new RunnerMetrics("process");
        // Host CPU from the command's start to the last event written: loading and attaching the programs is a
        // one-off cost of a session, not of an event.
        var cpu = await Task.Factory.StartNew(async () =>
        {
            using var session = new CaptureSession(options, NullLoggerFactory.Instance);
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            session.Start(new CaptureOutputs
            {
                Tls = CaptureOutputs.ToPipeline(pipeline.Input, tls),
                TlsMetrics = tls,
                Process = CaptureOutputs.ToPipeline(pipeline.Input, process),
                ProcessMetrics = process,
            }, beforeCommand: () => before = Process.GetCurrentProcess().TotalProcessorTime);
            session.Run(CancellationToken.None);
            await pipeline.CompleteAsync();
            return (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMicroseconds;
        }, TaskCreationOptions.LongRunning).Unwrap();
        pipeline.Dispose();
        var (perRequest, calls) = ReadResult(output);
        var counters = tls.Snapshot().Counters;
        // Expected: every data call both sides made, and the two handshakes; captured: every ssl event put on the bus.
        return (perRequest, calls + 2, tls.Produced, counters["lost_records"], cpu);
    }

    /// <summary>
    /// How fast the host takes events in when the kernel is not the limit: the reader is held while the workload fills
    /// a 256 MiB ring, then released; the time and CPU to decode and write everything to the file sink is the host's
    /// own ceiling.
    /// </summary>
    private static async Task DrainAsync(string python, string script, int requests, string cert, string key, string folder)
    {
        var output = Path.Combine(folder, "drain.json");
        var options = new CaptureOptions
        {
            Tls = true,
            ProcessEvents = ProcessEmit.All,
            TlsRingMb = 256,
            Command = [python, script, requests.ToString(CultureInfo.InvariantCulture), cert, key, output],
        };
        var pipeline = await StartPipelineAsync(Path.Combine(folder, "drain.jsonl"));
        var tls = new RunnerMetrics("ssl");
        var process = new RunnerMetrics("process");
        using var gate = new ManualResetEventSlim(false);
        var write = CaptureOutputs.ToPipeline(pipeline.Input, tls);
        var (seconds, cpu) = await Task.Factory.StartNew(async () =>
        {
            using var session = new CaptureSession(options, NullLoggerFactory.Instance);
            session.Start(new CaptureOutputs
            {
                Tls = evt =>
                {
                    gate.Wait();
                    write(evt);
                },
                TlsMetrics = tls,
                Process = CaptureOutputs.ToPipeline(pipeline.Input, process),
                ProcessMetrics = process,
            });
            using var stop = new CancellationTokenSource();
            var reader = Task.Factory.StartNew(() => session.Run(stop.Token), TaskCreationOptions.LongRunning);
            while (session.CommandExitCode is null)
            {
                await Task.Delay(20);
            }
            var started = Stopwatch.GetTimestamp();
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            gate.Set();
            await reader;
            await pipeline.CompleteAsync();
            return (Stopwatch.GetElapsedTime(started).TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMicroseconds);
        }, TaskCreationOptions.LongRunning).Unwrap();
        pipeline.Dispose();
        var counters = tls.Snapshot().Counters;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  drain: {tls.Produced:N0} events held in the ring, then decoded and {(s_sink == "null" ? "counted" : "written as NDJSON")} in {seconds:F2} s: {tls.Produced / seconds:N0} events/s, {cpu / Math.Max(1, tls.Produced):F2} us CPU per event ({counters["lost_records"]:N0} lost)"));
    }

    private static async Task<(double PerRequestUs, long Calls)> BystanderAsync(string python, string script, int requests, string cert, string key, string folder, bool io = false)
    {
        var options = new CaptureOptions
        {
            Tls = true,
            ProcessEvents = ProcessEmit.All,
            Comms = ["no-such-agent"],
            Sockets = io,
            Stdio = io ? StdioCapture.JsonRpc : StdioCapture.Off,
        };
        using var session = new CaptureSession(options, NullLoggerFactory.Instance);
        session.Start(new CaptureOutputs { Tls = _ => { }, Process = _ => { } });
        using var stop = new CancellationTokenSource();
        var reader = Task.Factory.StartNew(() => session.Run(stop.Token), TaskCreationOptions.LongRunning);
        var result = Workload(python, script, requests, cert, key, folder);
        await stop.CancelAsync();
        await reader;
        return result;
    }

    /// <summary>The real pipeline with the file sink plugin, loaded from disk as the host does.</summary>
    private static async Task<EventPipeline> StartPipelineAsync(string sessionFile)
    {
        var artifacts = typeof(CaptureBenchmark).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ArtifactsDir").Value!;
        var plugins = Path.Combine(artifacts, s_sink == "null" ? "test-plugins" : "plugins");
        var problems = new List<ManifestProblem>();
        var stages = s_sink == "null"
            ? """{ "stages": [ { "plugin": "null-sink" } ] }"""
            : $$"""{ "stages": [ { "plugin": "file", "config": { "path": {{System.Text.Json.JsonSerializer.Serialize(sessionFile)}}, "append": false } } ] }""";
        var manifest = ManifestReader.Parse("capture-bench.json", stages, problems) ?? throw new InvalidOperationException(string.Join("\n", problems));
        var plan = PipelineResolver.Resolve(manifest, new PluginCatalog(plugins, NullLogger<PluginCatalog>.Instance), problems, NullLogger.Instance)
            ?? throw new InvalidOperationException(string.Join("\n", problems));
        var pipeline = EventPipeline.Create(plan, NullLoggerFactory.Instance, TimeProvider.System, eventTime: false);
        await pipeline.StartAsync(CancellationToken.None);
        return pipeline;
    }
}
