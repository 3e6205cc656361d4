using AgentSight.Host.Hosting;
using AgentSight.Host.Pipeline;
using AgentSight.Host.Runners;
using AgentSight.Host.Runners.Capture;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Capture;

/// <summary>
/// Runs one <see cref="CaptureSession"/> for the <c>ssl</c> and <c>process</c> runners together: it starts once both
/// have joined (each brings its own counters), reads the rings on a dedicated thread, and ends both when it ends.
/// </summary>
internal sealed class CaptureHub
{
    private readonly CaptureOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly string[] _names;
    private readonly Dictionary<string, (PipelineInput Input, RunnerMetrics Metrics)> _joined = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CaptureSession? _prepared;
    private Thread? _preparing;
    private Thread? _capturing;
    private Exception? _prepareFailure;
    private volatile bool _abandoned;

    public CaptureHub(CaptureOptions options, ILoggerFactory loggers)
    {
        _options = options;
        _loggers = loggers;
        var names = new List<string>();
        if (options.Tls)
        {
            names.Add(Contracts.EventSources.Ssl);
        }
        if (options.ProcessEvents != ProcessEmit.None)
        {
            names.Add(Contracts.EventSources.Process);
        }
        if (options.NetworkEvents)
        {
            names.Add(Contracts.EventSources.Network);
        }
        if (options.Sockets)
        {
            names.Add(Contracts.EventSources.Socket);
        }
        if (options.Stdio != StdioCapture.Off)
        {
            names.Add(Contracts.EventSources.Stdio);
        }
        if (options.ResourceInterval > TimeSpan.Zero)
        {
            names.Add(ResourceSampler.Source);
        }
        _names = [.. names];
        Runners = [.. _names.Select(n => new CaptureRunner(n, this))];
    }

    public IReadOnlyList<IRunner> Runners { get; }

    /// <summary>
    /// Set <c>AGENTSIGHT_SERIAL_START=1</c> to load and attach only once the pipeline has started, as before (for
    /// measuring what the overlap saves: docs/PERFORMANCE.md).
    /// </summary>
    private static bool SerialStart => Environment.GetEnvironmentVariable("AGENTSIGHT_SERIAL_START") == "1";

    /// <summary>
    /// Loads the BPF programs and attaches the probes known up front on a thread of its own, while the caller reads
    /// the manifest, loads the plugins and starts the pipeline: the kernel's verifier and the runtime's start-up work
    /// then use both cores. Nothing is traced before the capture starts (<see cref="CaptureSession.Prepare"/>), and
    /// the command is started only after every probe is attached, as without it.
    /// </summary>
    public void Prepare()
    {
        // Only a followed tree: without one every process on the machine is recorded from the moment the probes are
        // attached, and the rings would fill with nobody reading them until the pipeline has started.
        if (SerialStart || !_options.FollowTree || _preparing is not null)
        {
            return;
        }
        var session = new CaptureSession(_options, _loggers);
        _prepared = session;
        _preparing = new Thread(() =>
        {
            try
            {
                session.Prepare(() => _abandoned);
            }
            catch (Exception ex)
            {
                // Thrown where the capture starts, as when it is not prepared ahead.
                _prepareFailure = ex;
            }
        }) { IsBackground = true, Name = "agentsight-capture-prepare" };
        _preparing.Start();
    }

    /// <summary>
    /// Detaches and closes what <see cref="Prepare"/> loaded when the run ended before the capture started, and waits
    /// until a capture that ran has closed everything (see <see cref="Run"/>).
    /// </summary>
    public void Abandon()
    {
        // Bounded: a capture still running here (its runners not awaited) would have the command's grace period left at most.
        _capturing?.Join(TimeSpan.FromSeconds(30));
        // Stops the preparation between two steps when the capture never took it (a refused run ends sooner).
        if (Volatile.Read(ref _prepared) is not null)
        {
            _abandoned = true;
        }
        _preparing?.Join();
        Interlocked.Exchange(ref _prepared, null)?.Dispose();
    }

    /// <summary>Completes when the capture has ended (the command exited, or the run was stopped) and every event was handed on.</summary>
    public Task Completion => _done.Task;

    /// <summary>The recorded command's exit status, once the session has ended.</summary>
    public int? CommandExitCode { get; private set; }

    internal async Task RunAsync(string name, PipelineInput input, RunnerMetrics metrics, CancellationToken stop)
    {
        bool last;
        lock (_joined)
        {
            _joined[name] = (input, metrics);
            last = _joined.Count == _names.Length;
        }
        if (last)
        {
            RunTimings.Mark("capture runners joined: capture thread starts");
            var thread = new Thread(() => Run(stop)) { IsBackground = true, Name = "agentsight-capture" };
            _capturing = thread;
            thread.Start();
        }
        if (name == _names[0])
        {
            await _done.Task;
            return;
        }
        try
        {
            await _done.Task;
        }
        catch (Exception)
        {
            // Reported once, by the first runner.
        }
    }

    private void Run(CancellationToken stop)
    {
        var priority = new PipelinePriority(_options.PipelineNice, _loggers.CreateLogger("AgentSight.Capture"));
        try
        {
            var outputs = new CaptureOutputs
            {
                Tls = Output(Contracts.EventSources.Ssl, priority),
                TlsMetrics = Metrics(Contracts.EventSources.Ssl),
                Process = Output(Contracts.EventSources.Process, priority),
                ProcessMetrics = Metrics(Contracts.EventSources.Process),
                Network = Output(Contracts.EventSources.Network, priority),
                NetworkMetrics = Metrics(Contracts.EventSources.Network),
                Resource = Output(ResourceSampler.Source, priority),
                Socket = Output(Contracts.EventSources.Socket, priority),
                SocketMetrics = Metrics(Contracts.EventSources.Socket),
                Stdio = Output(Contracts.EventSources.Stdio, priority),
                StdioMetrics = Metrics(Contracts.EventSources.Stdio),
            };
            using (var session = Interlocked.Exchange(ref _prepared, null) ?? new CaptureSession(_options, _loggers))
            {
                _preparing?.Join();
                if (_prepareFailure is { } failure)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                }
                session.Start(outputs);
                // From here the traced programs come first (PipelinePriority says why and when it steps back).
                priority.Lower();
                try
                {
                    session.Run(stop, priority.Tick);
                }
                finally
                {
                    priority.Restore();
                }
                CommandExitCode = session.CommandExitCode;
                // Every event was read and handed on: the pipeline drains and the summary is printed while the probes
                // are handed to their holders and the objects closed. The process does not exit before that has
                // finished (Abandon waits for this thread): the kernel would then detach every probe itself, one at a time.
                RunTimings.Mark("capture: runners told");
                _done.TrySetResult();
            }
            RunTimings.Mark("capture: session disposed");
        }
        catch (Exception ex)
        {
            if (!_done.TrySetException(ex))
            {
                // The runners were told already (the failure came while closing): said here, as nobody awaits it.
                _loggers.CreateLogger("AgentSight.Capture").LogError(ex, "Closing the capture failed");
            }
        }
    }

    private Action<Contracts.AgentEvent>? Output(string name, PipelinePriority priority) =>
        _joined.TryGetValue(name, out var joined) ? CaptureOutputs.ToPipeline(joined.Input, joined.Metrics, priority.Waited) : null;

    private RunnerMetrics? Metrics(string name) => _joined.TryGetValue(name, out var joined) ? joined.Metrics : null;
}
