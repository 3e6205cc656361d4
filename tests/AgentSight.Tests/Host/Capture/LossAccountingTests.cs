using AgentSight.Contracts;
using AgentSight.Host.Capture;
using AgentSight.Host.Runners;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentSight.Tests.Capture;

/// <summary>When the kernel ring fills (a pipeline that does not keep up), every lost record is counted and reported.</summary>
[Collection(CaptureCollection.Name)]
public sealed class LossAccountingTests
{
    [Fact]
    public async Task A_full_ring_buffer_is_counted_and_reported_never_silent()
    {
        CaptureEnvironment.Require();
        using var server = await TlsServer.PythonAsync();
        // Ten 4 MiB uploads: 40 MiB through a 1 MiB ring whose reader is held back until the command has ended.
        var script = $"""
            import ssl, urllib.request
            context = ssl._create_unverified_context()
            for i in range(10):
                request = urllib.request.Request("{server.Url("/upload")}", data=b"q" * (4 * 1024 * 1024))
                urllib.request.urlopen(request, context=context).read()
            """;
        var options = new CaptureOptions
        {
            Tls = true,
            ProcessEvents = ProcessEmit.Exec | ProcessEmit.Exit,
            Command = [CaptureEnvironment.Python, "-c", script],
            TlsRingMb = 1,
            MaxCapture = RecordLayout.MaxCaptureLimit,
        };
        var tlsMetrics = new RunnerMetrics("ssl");
        var processMetrics = new RunnerMetrics("process");
        var events = new List<AgentEvent>();
        using var gate = new ManualResetEventSlim(false);
        var outputs = new CaptureOutputs
        {
            Tls = evt =>
            {
                gate.Wait();
                events.Add(evt);
            },
            TlsMetrics = tlsMetrics,
            Process = _ => { },
            ProcessMetrics = processMetrics,
        };

        var run = Task.Factory.StartNew(() =>
        {
            using var session = new CaptureSession(options, NullLoggerFactory.Instance);
            session.Start(outputs);
            var stop = new CancellationTokenSource();
            var runner = Task.Run(() => session.Run(stop.Token));
            // Hold the reader until the command is done, so the ring overflows; then let everything drain.
            while (session.CommandExitCode is null && !runner.IsCompleted)
            {
                Thread.Sleep(50);
            }
            gate.Set();
            runner.Wait(TimeSpan.FromSeconds(60));
            return session.CommandExitCode;
        }, TaskCreationOptions.LongRunning);
        var commandStatus = await run.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(0, commandStatus);
        var counters = tlsMetrics.Snapshot().Counters;
        Assert.True(counters["lost_records"] > 0, string.Join(", ", counters));
        Assert.True(counters["lost_bytes"] > 0, string.Join(", ", counters));
        // What did arrive says what it misses: the uploads that were cut carry bytes_lost.
        var uploads = events.Select(e => (TlsPayload)e.Data).Where(p => p.Direction == TlsDirection.Write && p.Length == 4 * 1024 * 1024).ToList();
        Assert.True(uploads.Count < 10 || uploads.Any(p => p.BytesLost > 0), $"{uploads.Count} uploads; counters {string.Join(", ", counters)}");
        Assert.All(uploads, p => Assert.Equal(p.Length, p.Bytes.Length + p.BytesLost));
    }
}
