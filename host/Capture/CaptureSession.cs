using AgentSight.Contracts;
using AgentSight.Host.Bpf;
using AgentSight.Host.Capture.Discovery;
using AgentSight.Host.Capture.Network;
using AgentSight.Host.Hosting;
using AgentSight.Host.Runners;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Capture;

/// <summary>
/// One live capture: loads the BPF programs, attaches them, follows the chosen processes, starts the recorded
/// command, then reads the ring buffers on the calling thread until the command ends, the followed processes are
/// gone, or the user stops it; everything already in the rings is read before it returns.
/// </summary>
internal sealed class CaptureSession : IDisposable
{
    /// <summary>
    /// How often the rings are read when nothing woke the reader: the programs wake it only once a batch is waiting
    /// (<see cref="WakeupBytes"/>), so at low rates this is an event's longest wait before it reaches the pipeline.
    /// After a quiet second the reader sleeps instead, until a record wakes it (<see cref="ReaderNap"/>).
    /// </summary>
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan PieceTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan CommandGrace = TimeSpan.FromSeconds(10);


    private readonly CaptureOptions _options;
    private readonly ILogger _log;
    private readonly ILoggerFactory _loggers;
    private readonly BootClock _clock = new();
    private readonly CommNames _comms = new();
    private readonly TimeOrderedOutputs _ordered = new();
    private readonly List<BpfLink> _links = [];
    // Where earlier recordings probed TLS, for this one's start (kept beside the discovery cache).
    private readonly RecentTlsFiles _recentTlsFiles = RecentTlsFiles.ForCurrentUser();
    private BpfObject? _process;
    private BpfObject? _tls;
    private BpfObject? _io;
    private IoDecoder? _ioDecoder;
    private IoStats? _ioStats;
    private TlsProbes? _probes;
    private TlsDiscovery? _discovery;
    private RingBufferPoller? _poller;
    private ProcessDecoder? _processDecoder;
    private TlsDecoder? _tlsDecoder;
    private CommandLauncher? _command;
    private LossReport? _tlsLosses;
    private LossReport? _processLosses;
    private TlsCoverage? _coverage;
    private ProcessEmit _processEmit;
    private ResourceSampler? _sampler;
    private bool _multiLinks;
    private bool _prepared;
    private Task? _tlsAttach;

    public CaptureSession(CaptureOptions options, ILoggerFactory loggers)
    {
        _options = options;
        _loggers = loggers;
        _log = loggers.CreateLogger("AgentSight.Capture");
    }

    /// <summary>The recorded command's exit status (128 + signal when killed), once it has ended.</summary>
    public int? CommandExitCode => _command?.Exited is { IsCompletedSuccessfully: true } exited ? exited.Result : null;

    /// <summary>
    /// Loads the programs and attaches every probe known up front (the process and I/O programs; the system's libssl
    /// and the command's own binary on a thread that <see cref="Start"/> waits for), without reading anything yet: what
    /// needs no pipeline, so that it can run while the pipeline starts (<see cref="CaptureHub.Prepare"/>). With a
    /// followed tree nothing the user did not ask for is recorded yet: until <see cref="Start"/> follows the chosen
    /// processes and starts the command, only processes that start with a followed name (<c>-c</c>) enter the tracked
    /// set. Called by <see cref="Start"/> when not before.
    /// </summary>
    /// <param name="abandoned">True once the run has ended before the capture started (a manifest problem): stop between steps.</param>
    public void Prepare(Func<bool>? abandoned = null)
    {
        if (_prepared)
        {
            return;
        }
        try
        {
            LibbpfLog.Install(_loggers.CreateLogger("AgentSight.Bpf"));
            LoadPrograms(abandoned);
            StopIf(abandoned);
            AttachProcessPrograms();
            RunTimings.Mark("capture: process programs attached");
            if (_io is not null)
            {
                AttachIoPrograms();
                RunTimings.Mark("capture: socket and stdio programs attached");
            }
            StopIf(abandoned);
            if (_tls is not null)
            {
                AttachSocketPrograms();
                RunTimings.Mark("capture: TLS socket programs attached");
            }
            _prepared = true;
        }
        catch (BpfException ex) when (ex.Log is { Length: > 0 } log)
        {
            _log.LogError("libbpf's log for the failure (the kernel's verifier log, for a program it refused):\n{Log}", log.TrimEnd());
            throw;
        }
    }

    /// <summary>
    /// Prepares (when not done yet), starts reading, follows the chosen processes and starts the command. Nothing is
    /// left attached on failure (the caller disposes).
    /// </summary>
    /// <param name="outputs">Where events go.</param>
    /// <param name="beforeCommand">Called once everything is attached, just before the command starts (benchmarks).</param>
    public void Start(CaptureOutputs outputs, Action? beforeCommand = null)
    {
        Prepare();
        outputs = _ordered.Wrap(outputs);
        if (_probes is not null)
        {
            var explainer = new BlindSpotExplainer(_probes, _discovery);
            _coverage = new TlsCoverage(_clock, outputs.Network, explainer.Explain, _log,
                Counter(outputs.TlsMetrics, "unseen_connections"), Counter(outputs.TlsMetrics, "tls_connections"));
        }
        _poller = new RingBufferPoller();
        _poller.EnableWake();
        var processEmit = outputs.Process;
        if (outputs.Resource is { } resource && _options.ResourceInterval > TimeSpan.Zero)
        {
            _sampler = new ResourceSampler(_options.ResourceInterval, _clock, resource);
        }
        var hooks = new ProcessHooks
        {
            Exec = (pid, path, held) =>
            {
                if (_discovery is not null)
                {
                    _discovery.OnExec(pid, path, held);
                }
                else if (held)
                {
                    Posix.Kill(pid, Posix.SIGCONT);
                }
                _coverage?.OnExec(pid, path);
            },
            Exit = pid =>
            {
                _sampler?.Forget(pid);
                _coverage?.OnExit(pid);
                _discovery?.OnExit(pid);
            },
            Connect = (in ProcessRecordHeader header, int fd, int result, SocketAddress? address, string comm) =>
            {
                if ((header.Flags & RecordLayout.ProcessHeld) != 0)
                {
                    if (_discovery is not null)
                    {
                        _discovery.OnHeldForProbes((int)header.Pid);
                    }
                    else
                    {
                        Posix.Kill((int)header.Pid, Posix.SIGCONT);
                    }
                }
                _coverage?.OnConnect((int)header.Pid, (int)header.Tid, comm, fd, result, address, header.TimestampNs);
            },
            Mapped = (pid, device, inode, held) =>
            {
                if (_discovery is not null)
                {
                    _discovery.OnMapped(pid, FileIdentity.FromKernel(device, inode), held);
                }
                else if (held)
                {
                    Posix.Kill(pid, Posix.SIGCONT);
                }
            },
            NeedsProbes = pid => _discovery?.OnNeedsProbes(pid),
            Unholdable = pid => _discovery?.OnUnholdable(pid),
        };
        var processMetrics = outputs.ProcessMetrics ?? outputs.TlsMetrics;
        _processDecoder = new ProcessDecoder(_clock, _comms, processEmit, hooks, new ProcessCounters
            {
                BadRecords = Counter(processMetrics, "bad_records"),
                HeldAtExec = Counter(processMetrics, "held_at_exec"),
                HeldAtMap = Counter(processMetrics, "held_at_map"),
                HeldAtConnect = Counter(processMetrics, "held_at_connect"),
            },
            processEmit is null ? null : new ProcessContainers { Unknown = Counter(processMetrics, "container_unknown") });
        // The process ring first: a pass over the rings reads the TLS ring after it (see ProcessDecoder).
        _poller.Add(_process!.Map("proc_events"), _processDecoder);
        _processLosses = new LossReport(_process, "proc_stats", "process", outputs.ProcessMetrics, _log);
        if (_io is not null)
        {
            var ioMetrics = outputs.SocketMetrics ?? outputs.StdioMetrics;
            _ioDecoder = new IoDecoder(_clock, _comms, outputs.Socket, outputs.Stdio, new IoCounters
            {
                TruncatedCalls = Counter(ioMetrics, "truncated_calls"),
                IncompleteCalls = Counter(ioMetrics, "incomplete_calls"),
                BadRecords = Counter(ioMetrics, "bad_records"),
            });
            _poller.Add(_io.Map("io_events"), _ioDecoder);
            _ioStats = new IoStats(_io, outputs.SocketMetrics, outputs.StdioMetrics, _log);
        }
        if (_tls is not null)
        {
            _tlsDecoder = new TlsDecoder(_clock, _probes!.LibraryName, _comms, outputs.Tls ?? (_ => { }), new TlsCounters
            {
                TruncatedCalls = Counter(outputs.TlsMetrics, "truncated_calls"),
                TruncatedBytes = Counter(outputs.TlsMetrics, "truncated_bytes"),
                IncompleteCalls = Counter(outputs.TlsMetrics, "incomplete_calls"),
                BadRecords = Counter(outputs.TlsMetrics, "bad_records"),
                UnjoinedRecords = Counter(outputs.TlsMetrics, "unjoined_records"),
            }, _coverage, new ProbeVerifier(_probes!.FoundInStrippedCode, _probes!.LibraryName, _log, Counter(outputs.TlsMetrics, "suspect_probes")));
            _poller.Add(_tls.Map("tls_events"), _tlsDecoder);
            _tlsLosses = new LossReport(_tls, "tls_stats", "TLS", outputs.TlsMetrics, _log);
        }
        FinishAttachingTlsFiles();
        Follow();
        RunTimings.Mark("capture: followed processes put in the tracked map");
        _log.LogInformation("Capturing {What}", Describe());
        beforeCommand?.Invoke();
        StartCommand();
        RunTimings.Mark("capture: command started");
    }

    /// <summary>How long a sleeping reader waits: until the next resource sample, <see cref="ReaderNap.LongestNap"/> at most.</summary>
    private int NapMilliseconds() =>
        (int)Math.Min((long)ReaderNap.LongestNap.TotalMilliseconds, _sampler?.MillisecondsUntilDue ?? long.MaxValue);

    /// <summary>Reads the rings until the session ends, then reads what is left in them.</summary>
    /// <param name="eachPass">Called once per pass of the loop, on this thread (the pipeline's priority).</param>
    public void Run(CancellationToken stop, Action? eachPass = null)
    {
        var poller = _poller ?? throw new InvalidOperationException("Start was not called");
        long nextTreeCheck = 0;
        long nextLossCheck = 0;
        long? killAt = null;
        var nap = new ReaderNap(new[] { _process, _tls, _io }.OfType<BpfObject>().Select(o => o.Map("reader_asleep")), Environment.TickCount64);
        // Asleep, the reader would see a stop request only at its next wake-up.
        using var wakeOnStop = stop.Register(poller.Wake);
        while (true)
        {
            // A wait ends early only when a program forced a wakeup; records written without one are read here too.
            poller.Wait(nap.Asleep ? NapMilliseconds() : (int)Tick.TotalMilliseconds);
            // Every ring is read past this moment before what was stamped up to it is handed on (TimeOrderedOutputs).
            var mark = _clock.ToEpoch((ulong)Posix.Now(Posix.ClockBoottime));
            if (nap.AfterRead(poller.Consume(), Environment.TickCount64))
            {
                // A record sent before the flags were set woke nobody.
                nap.AfterRead(poller.Consume(), Environment.TickCount64);
            }
            _processDecoder?.ReleaseHeld();
            _clock.RefreshIfDue();
            _tlsDecoder?.FlushStale(PieceTimeout);
            _ioDecoder?.FlushStale(PieceTimeout);
            _tlsDecoder?.ReleaseWaiting(PieceTimeout);
            _coverage?.Check();
            _sampler?.SampleIfDue(SampledPids);
            if (Environment.TickCount64 >= nextLossCheck)
            {
                // Ten map reads a second would cost more than the losses they watch for while nothing happens.
                nextLossCheck = Environment.TickCount64 + 1000;
                _tlsLosses?.Update();
                _processLosses?.Update();
                _ioStats?.Update();
            }
            _ordered.Release(mark);
            eachPass?.Invoke();

            if (_command is not null && _command.Exited.IsCompleted)
            {
                _log.LogInformation("The command exited with status {Status}; reading what is left in the ring buffers", CommandExitCode?.ToString() ?? "unknown");
                break;
            }
            if (stop.IsCancellationRequested)
            {
                if (_command is null)
                {
                    break;
                }
                // The command owns the terminal; a stop request from outside (SIGTERM) is passed on to it.
                if (killAt is null)
                {
                    _log.LogWarning("Stopping: sending SIGTERM to the command (pid {Pid}); it is killed if it has not exited in {Seconds} s",
                        _command.Pid, CommandGrace.TotalSeconds);
                    _command.Signal(Posix.SIGTERM);
                    killAt = Environment.TickCount64 + (long)CommandGrace.TotalMilliseconds;
                }
                else if (Environment.TickCount64 >= killAt)
                {
                    _command.Signal(Posix.SIGKILL);
                }
            }
            if (_options.StopWhenTreeEmpty && Environment.TickCount64 >= nextTreeCheck)
            {
                nextTreeCheck = Environment.TickCount64 + 1000;
                if (FollowedCount() == 0)
                {
                    _log.LogInformation("Every followed process has exited; ending the capture");
                    break;
                }
            }
        }
        RunTimings.Mark("capture: the command's end seen");
        // Everything the kernel wrote before now; under a steady stream from processes still running, two passes.
        poller.Consume();
        poller.Consume();
        _tlsDecoder?.FlushAll();
        _ioDecoder?.FlushAll();
        _processDecoder?.ReleaseHeld();
        _coverage?.Check(final: true);
        _ordered.ReleaseAll();
        if (_coverage is { Unseen: > 0 } coverage)
        {
            _log.LogWarning("TLS: {Count} connection(s) of traced processes carried TLS that no probe saw (network TLS_UNSEEN events say which, and why)", coverage.Unseen);
        }
        _tlsLosses?.Update(final: true);
        _processLosses?.Update(final: true);
        _ioStats?.Update(final: true);
        LogProgramStatistics();
        RunTimings.Mark("capture: last ring-buffer reads done");
    }

    /// <summary>
    /// With <c>sysctl kernel.bpf_stats_enabled=1</c>, how often each program ran and for how long on average: the
    /// in-kernel half of what a probe costs (the trap is the other; docs/PERFORMANCE.md).
    /// </summary>
    private void LogProgramStatistics()
    {
        try
        {
            if (File.ReadAllText("/proc/sys/kernel/bpf_stats_enabled").Trim() != "1")
            {
                return;
            }
        }
        catch (IOException)
        {
            return;
        }
        var lines = new List<string>();
        foreach (var program in new[] { _tls, _process, _io }.OfType<BpfObject>().SelectMany(o => o.Programs()))
        {
            var (runs, nanoseconds) = program.RunStats();
            if (runs > 0)
            {
                lines.Add($"{program.Name} {runs} runs, {nanoseconds / (double)runs:0} ns each");
            }
        }
        _log.LogInformation("BPF programs (kernel.bpf_stats_enabled=1): {Statistics}", lines.Count == 0 ? "none ran" : string.Join("; ", lines));
    }

    public void Dispose()
    {
        _tlsAttach?.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        _command?.Dispose();
        _discovery?.Dispose();
        if (_probes is not null && _options.DiscoverTls)
        {
            _recentTlsFiles.Remember(_probes.ProbedFilesRun(), DateTimeOffset.UtcNow);
            RunTimings.Mark("capture: the files with TLS remembered for the next recording");
        }
        // The TLS probes' links with the programs' own: one set of holder processes for all (each costs a process start).
        _probes?.HandOverLinks(_links);
        RunTimings.Mark("capture: TLS discovery stopped");
        BpfLink.DetachInBackground(_links);
        _links.Clear();
        RunTimings.Mark("capture: links handed to the detach");
        _poller?.Dispose();
        DisposeObjects();
        RunTimings.Mark("capture: probes handed to the detach, BPF objects closed");
    }

    /// <summary>What is captured, in words, for the start-up log.</summary>
    private string Describe()
    {
        var sources = new List<string>();
        if (_options.Tls)
        {
            sources.Add("TLS plaintext");
        }
        if (_options.ProcessEvents != ProcessEmit.None)
        {
            var kinds = new List<string>();
            foreach (var (flag, name) in new[] { (ProcessEmit.Exec, "exec"), (ProcessEmit.Fork, "fork"), (ProcessEmit.Exit, "exit"), (ProcessEmit.Open, "file opens") })
            {
                if (_options.ProcessEvents.HasFlag(flag))
                {
                    kinds.Add(name);
                }
            }
            sources.Add($"process activity ({string.Join(", ", kinds)})");
        }
        if (_options.Sockets)
        {
            sources.Add("plaintext sockets");
        }
        if (_options.Stdio != StdioCapture.Off)
        {
            sources.Add(_options.Stdio == StdioCapture.JsonRpc ? "JSON-RPC stdio streams" : "stdio streams");
        }
        var scope = _options.Command.Count > 0 ? "of the command and its children"
            : _options.FollowTree ? "of the followed processes and their children"
            : "of every process";
        var uid = _options.Uid is { } user ? $", user {user} only" : string.Empty;
        return $"{string.Join(" and ", sources)} {scope}{uid}";
    }

    private static Counter Counter(RunnerMetrics? metrics, string name) => metrics?.Counter(name) ?? new Counter(name);

    private static void StopIf(Func<bool>? abandoned)
    {
        if (abandoned?.Invoke() == true)
        {
            throw new OperationCanceledException("the run ended before the capture started");
        }
    }

    private void LoadPrograms(Func<bool>? abandoned)
    {
        var objects = new[] { EmbeddedObjects.Process, EmbeddedObjects.Io, EmbeddedObjects.Tls }
            .Select(name => (Name: name, Elf: EmbeddedObjects.Read(name))).ToArray();
        var elfs = objects.Select(o => o.Elf).ToArray();
        var btf = MinimalKernelBtf.For(Path.Combine(CacheFolder.Root(), "btf"), elfs);
        if (btf.Existing is { } minimal)
        {
            try
            {
                LoadPrograms(elfs, minimal, abandoned);
                RunTimings.Mark("capture: objects relocated against the cut-down kernel BTF");
                return;
            }
            catch (BpfException ex)
            {
                // A cut-down BTF that fails is not worth a failed run: forget it, and load against the kernel's own.
                _log.LogWarning("Loading the BPF objects against the cut-down kernel BTF {File} failed ({Error}); deleted it, loading against the kernel's whole BTF", minimal, ex.Message);
                btf.Discard();
                DisposeProbes();
                DisposeObjects();
            }
        }
        LoadPrograms(elfs, null, abandoned);
        btf.StartMaking(objects, _log);
    }

    /// <summary>Before loading again: the probes made for the objects that failed, and what they attached.</summary>
    private void DisposeProbes()
    {
        // Ends once the load it waits for has failed; what it threw belongs to that load.
        _tlsAttach?.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        _tlsAttach = null;
        _discovery?.Dispose();
        _probes?.Dispose();
        (_probes, _discovery) = (null, null);
    }

    private void DisposeObjects()
    {
        _tls?.Dispose();
        _io?.Dispose();
        _process?.Dispose();
        (_tls, _io, _process) = (null, null, null);
    }

    private void LoadPrograms(byte[][] elfs, string? kernelBtf, Func<bool>? abandoned)
    {
        var selfTgid = (uint)Posix.GetPid();
        _process = BpfObject.Open("process", elfs[0], kernelBtf);
        ref var processConfig = ref _process.Config<ProcessConfig>();
        CheckMagic(processConfig.Magic, "process");
        processConfig.FilterMode = _options.FollowTree ? RecordLayout.FilterTracked : RecordLayout.FilterAll;
        processConfig.SelfTgid = selfTgid;
        processConfig.UidFilter = _options.Uid.HasValue ? 1u : 0u;
        processConfig.TargetUid = _options.Uid ?? 0;
        // Execs and executable mappings are read when TLS discovery needs them, and connects when TLS coverage or the
        // network source does, even if no process event goes on the bus.
        var emit = _options.ProcessEvents;
        if (_options.Tls && _options.DiscoverTls)
        {
            emit |= ProcessEmit.Exec | ProcessEmit.Mmap;
        }
        if (_options.Tls || _options.NetworkEvents)
        {
            emit |= ProcessEmit.Connect | ProcessEmit.Exec | ProcessEmit.Exit;
        }
        processConfig.Emit = (uint)emit;
        _processEmit = emit;
        processConfig.CommCount = (uint)_options.Comms.Count;
        // Only a followed tree is ever held: stopping every new program on the machine is not a recorder's place.
        processConfig.HoldNewPrograms = _options.Tls && _options.DiscoverTls && _options.HoldNewPrograms && _options.FollowTree ? 1u : 0u;
        processConfig.WakeupBytes = WakeupBytes(_options.ProcessRingMb);
        processConfig.ScopedProbes = ScopedProbes ? 1u : 0u;
        Span<byte> comms = processConfig.Comms;
        comms.Clear();
        for (var i = 0; i < _options.Comms.Count; i++)
        {
            CommNames.Encode(_options.Comms[i]).CopyTo(comms[(i * RecordLayout.CommLength)..]);
        }
        _process.Map("proc_events").SetMaxEntries((uint)_options.ProcessRingMb * 1024 * 1024);
        RunTimings.Mark("capture: process object opened");
        _process.Load();
        RunTimings.Mark("capture: process object loaded (verified)");

        StopIf(abandoned);
        // The io and tls objects need only the process object's tracked map: each is loaded on a thread of its own, as
        // most of a load is the kernel allocating maps and the vmlinux BTF being read and parsed, not one after another.
        Exception? ioFailure = null;
        var ioThread = _options.Io ? new Thread(() =>
        {
            try
            {
                LoadIo(selfTgid, elfs[1], kernelBtf);
            }
            catch (Exception ex)
            {
                ioFailure = ex;
            }
        }, maxStackSize: 1024 * 1024) { IsBackground = true, Name = "agentsight-load-io" } : null;
        ioThread?.Start();
        try
        {
            LoadTls(selfTgid, elfs[2], kernelBtf);
        }
        finally
        {
            ioThread?.Join();
        }
        if (ioFailure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ioFailure);
        }
    }

    private void LoadIo(uint selfTgid, byte[] elf, string? kernelBtf)
    {
        var io = BpfObject.Open("io", elf, kernelBtf);
        _io = io;
        ref var ioConfig = ref io.Config<IoConfig>();
        CheckMagic(ioConfig.Magic, "io");
        ioConfig.SelfTgid = selfTgid;
        ioConfig.UidFilter = _options.Uid.HasValue ? 1u : 0u;
        ioConfig.TargetUid = _options.Uid ?? 0;
        ioConfig.Sockets = _options.Sockets ? 1u : 0u;
        ioConfig.StdioMode = (uint)_options.Stdio;
        ioConfig.MaxCapture = (ulong)_options.MaxCapture;
        ioConfig.StdioLimit = (ulong)_options.StdioLimit;
        ioConfig.WakeupBytes = WakeupBytes(_options.IoRingMb);
        ShareProcessMaps(io);
        io.Map("io_events").SetMaxEntries((uint)_options.IoRingMb * 1024 * 1024);
        io.Load();
        RunTimings.Mark("capture: io object opened and loaded");
    }

    /// <summary>
    /// Makes <paramref name="loading"/> use the process object's maps of the same names: the followed tree, which the
    /// io and tls programs filter on, and the TLS calls in progress, which the tls programs fill and the io programs
    /// read (bpf/tls_calls.h).
    /// </summary>
    private void ShareProcessMaps(BpfObject loading)
    {
        foreach (var name in (ReadOnlySpan<string>)["tracked", "read_calls", "write_calls"])
        {
            loading.Map(name).ReuseFd(_process!.Map(name).Fd);
        }
    }

    private void LoadTls(uint selfTgid, byte[] elf, string? kernelBtf)
    {
        if (!_options.Tls)
        {
            return;
        }
        _tls = BpfObject.Open("tls", elf, kernelBtf);
        ref var tlsConfig = ref _tls.Config<TlsConfig>();
        CheckMagic(tlsConfig.Magic, "tls");
        tlsConfig.FilterMode = _options.FollowTree ? RecordLayout.FilterTracked : RecordLayout.FilterAll;
        tlsConfig.SelfTgid = selfTgid;
        tlsConfig.UidFilter = _options.Uid.HasValue ? 1u : 0u;
        tlsConfig.TargetUid = _options.Uid ?? 0;
        tlsConfig.EmitHandshake = _options.Handshakes ? 1u : 0u;
        tlsConfig.MaxCapture = (ulong)_options.MaxCapture;
        tlsConfig.WakeupBytes = WakeupBytes(_options.TlsRingMb);
        ShareProcessMaps(_tls);
        _tls.Map("tls_events").SetMaxEntries((uint)_options.TlsRingMb * 1024 * 1024);
        _multiLinks = TlsProbes.PrepareForMultiLinks(_tls);
        // The files to probe are looked into (the discovery cache read, or the analysis) while the kernel loads the
        // programs; they are attached once it has.
        var loaded = new TaskCompletionSource();
        CreateTlsProbes(_tls, loaded.Task);
        _tlsAttach = StartAttachingTlsFiles();
        try
        {
            _tls.Load();
            loaded.SetResult();
        }
        catch
        {
            loaded.SetCanceled();
            throw;
        }
        RunTimings.Mark("capture: tls object opened and loaded");
    }

    /// <summary>
    /// TLS probes attached per followed process rather than per file, so that no other process traps on them
    /// (<c>--probe-scope followed</c>, the default when processes are followed; docs/CAPTURE.md). Discovery attaches
    /// them, and uprobe_multi links carry the process.
    /// </summary>
    private bool ScopedProbes => _options.Tls && _options.FollowTree && _options.DiscoverTls && _options.ProbeScope == ProbeScope.Followed
        && UprobeMulti.Supported;

    private void CreateTlsProbes(BpfObject tls, Task loaded)
    {
        _probes = new TlsProbes(tls, _log, _options.ProbeInternalFunctions, DiscoveryCache.ForCurrentUser(), _multiLinks, loaded, ScopedProbes);
        _discovery = _options.DiscoverTls ? new TlsDiscovery(_probes, _log) : null;
        var known = _process!.Map("known_files");
        _probes.Examined = (file, probed) =>
        {
            try
            {
                known.Update(new KnownFile { Device = file.KernelDevice, Inode = file.Inode },
                    (byte)(RecordLayout.KnownExamined | (probed ? RecordLayout.KnownProbed : 0)));
            }
            catch (BpfException)
            {
                // A full map only costs an early wakeup when the file is mapped again (and, scoped, probes
                // attached by the next scan of the process instead of before its first call).
            }
        };
        if (_discovery is not null)
        {
            _discovery.MapsProbedLibraries = program =>
            {
                try
                {
                    known.Update(new KnownFile { Device = program.KernelDevice, Inode = program.Inode },
                        (byte)(RecordLayout.KnownExamined | RecordLayout.KnownMapsProbed));
                }
                catch (BpfException)
                {
                    // Full: its next execs wait for the batch, and it is held at the mapping instead.
                }
            };
        }
        var links = _process.Map("probe_links");
        _probes.Linked = (pid, file, attached) =>
        {
            var key = new ProcessFile { Tgid = (uint)pid, Device = file.KernelDevice, Inode = file.Inode };
            var any = new ProcessFile { Tgid = (uint)pid };
            try
            {
                if (attached)
                {
                    links.Update(key, (byte)1);
                    links.Update(any, (byte)1);
                }
                else
                {
                    links.Delete(key);
                    links.Delete(any);
                }
            }
            catch (BpfException)
            {
                // Full: the process is held again at its next mapping of the file, and let go at once.
            }
        };
    }

    /// <summary>
    /// The files in which earlier recordings probed TLS (<see cref="RecentTlsFiles"/>), unchanged since: probed now,
    /// before the command starts, so that a process running one is not held at its exec.
    /// </summary>
    private void ProbeRecentTlsFiles()
    {
        foreach (var file in _recentTlsFiles.ReadUnchanged(DateTimeOffset.UtcNow))
        {
            _probes!.TryAttach(file.Path, file.Path, requested: false);
        }
        RunTimings.Mark("capture: files with TLS in earlier recordings probed");
    }

    /// <summary>A sixteenth of the ring, at most 1 MiB: a batch big enough to be worth a wakeup, far from full.</summary>
    private static ulong WakeupBytes(int ringMb) => Math.Min((ulong)ringMb * 1024 * 1024 / 16, 1024 * 1024);

    private static void CheckMagic(uint magic, string name)
    {
        if (magic != RecordLayout.ConfigMagic)
        {
            throw new CaptureStartException($"the embedded {name} BPF object does not match this host (configuration magic 0x{magic:x}): rebuild with make -C bpf && dotnet build");
        }
    }

    private void AttachProcessPrograms()
    {
        var process = _process!;
        _links.Add(process.Program("handle_exec").AttachRawTracepoint("sched_process_exec"));
        _links.Add(process.Program("handle_fork").AttachRawTracepoint("sched_process_fork"));
        _links.Add(process.Program("handle_exit").AttachRawTracepoint("sched_process_exit"));
        if (_options.FollowTree && _options.Comms.Count > 0)
        {
            _links.Add(process.Program("handle_rename").AttachRawTracepoint("task_rename"));
        }
        var emit = _processEmit;
        if (emit.HasFlag(ProcessEmit.Connect))
        {
            _links.Add(process.Program("handle_connect_enter").AttachTracepoint("syscalls", "sys_enter_connect"));
            _links.Add(process.Program("handle_connect_exit").AttachTracepoint("syscalls", "sys_exit_connect"));
        }
        if (emit.HasFlag(ProcessEmit.Mmap))
        {
            _links.Add(process.Program("handle_mmap").AttachTracepoint("syscalls", "sys_enter_mmap"));
        }
        if (_options.ProcessEvents.HasFlag(ProcessEmit.Open))
        {
            _links.Add(process.Program("handle_openat_enter").AttachTracepoint("syscalls", "sys_enter_openat"));
            _links.Add(process.Program("handle_openat_exit").AttachTracepoint("syscalls", "sys_exit_openat"));
            _links.Add(process.Program("handle_openat2_enter").AttachTracepoint("syscalls", "sys_enter_openat2"));
            _links.Add(process.Program("handle_openat2_exit").AttachTracepoint("syscalls", "sys_exit_openat2"));
        }
        _log.LogDebug("Process programs attached: {Links}", string.Join("; ", _links));
    }

    /// <summary>
    /// Plaintext sockets and stdio of traced processes: each read and write family call's entry (which descriptor,
    /// filtered on the tracked map first) and one program for every return.
    /// </summary>
    private void AttachIoPrograms()
    {
        var io = _io!;
        foreach (var (program, call) in new[]
        {
            ("io_write", "write"), ("io_writev", "writev"), ("io_sendto", "sendto"), ("io_sendmsg", "sendmsg"),
            ("io_read", "read"), ("io_readv", "readv"), ("io_recvfrom", "recvfrom"), ("io_recvmsg", "recvmsg"),
        })
        {
            _links.Add(io.Program(program).AttachTracepoint("syscalls", "sys_enter_" + call));
            _links.Add(io.Program("io_return").AttachTracepoint("syscalls", "sys_exit_" + call));
        }
    }

    /// <summary>
    /// The socket calls of traced processes: which socket a TLS connection object uses, and every ClientHello (for
    /// the blind-spot report).
    /// </summary>
    private void AttachSocketPrograms()
    {
        var tls = _tls!;
        foreach (var (program, syscall) in new[]
        {
            ("sys_write", "sys_enter_write"), ("sys_writev", "sys_enter_writev"), ("sys_sendto", "sys_enter_sendto"), ("sys_sendmsg", "sys_enter_sendmsg"),
            ("sys_read", "sys_enter_read"), ("sys_readv", "sys_enter_readv"), ("sys_recvfrom", "sys_enter_recvfrom"), ("sys_recvmsg", "sys_enter_recvmsg"),
        })
        {
            _links.Add(tls.Program(program).AttachTracepoint("syscalls", syscall));
        }
    }

    /// <summary>
    /// Probes the system's TLS libraries, the files named with --binary-path and the command's own binary on a thread of
    /// its own, started when the TLS object is opened: what is in the files is looked up while the kernel verifies the
    /// programs, and the kernel's first uprobe of a run waits for an RCU grace period (<c>register_for_each_vma</c>
    /// takes <c>dup_mmap_sem</c> for writing), 10–20 ms of sleep on this VM, while the pipeline and the readers are set
    /// up. <see cref="Start"/> joins it before anything is followed or started.
    /// </summary>
    private Task StartAttachingTlsFiles() =>
        Task.Factory.StartNew(AttachTlsFiles, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Waits for <see cref="StartAttachingTlsFiles"/>; what it threw is thrown here.</summary>
    private void FinishAttachingTlsFiles() => _tlsAttach?.GetAwaiter().GetResult();

    private void AttachTlsFiles()
    {
        var discovery = _discovery ?? new TlsDiscovery(_probes!, _log);
        try
        {
            if (_options.SystemLibraries)
            {
                discovery.AttachSystemLibraries();
            }
            foreach (var path in _options.BinaryPaths)
            {
                if (!discovery.AttachBinary(path))
                {
                    throw new CaptureStartException($"--binary-path {path}: cannot probe it (see the line above; ./agentsight probes {path} explains what discovery finds in it)");
                }
            }
            RunTimings.Mark("capture: system TLS libraries found and probed");
            if (_options.DiscoverTls)
            {
                ProbeRecentTlsFiles();
            }
            if (_options.Command.Count > 0)
            {
                discovery.AttachCommand(_options.Command[0], Environment.GetEnvironmentVariable("PATH"));
                RunTimings.Mark("capture: the command's own binary looked into for TLS");
            }
        }
        finally
        {
            if (_discovery is null)
            {
                discovery.Dispose();
            }
        }
    }

    /// <summary>Puts the given processes, those with a followed name, and all their descendants in the tracked map.</summary>
    private void Follow()
    {
        if (!_options.FollowTree || (_options.Pids.Count == 0 && _options.Comms.Count == 0))
        {
            return;
        }
        var self = Posix.GetPid();
        var table = ProcessTable.Snapshot();
        foreach (var pid in _options.Pids.Where(p => table.All(e => e.Pid != p)))
        {
            throw new CaptureStartException($"-p {pid}: no such process");
        }
        var comms = _options.Comms.Select(c => Truncate(c)).ToHashSet(StringComparer.Ordinal);
        var roots = _options.Pids.Concat(table.Where(e => comms.Contains(e.Comm)).Select(e => e.Pid));
        var followed = ProcessTable.WithDescendants(roots, table);
        followed.Remove(self);
        var tracked = _process!.Map("tracked");
        foreach (var pid in followed)
        {
            tracked.Update((uint)pid, default(TrackedProcess));
        }
        // A child forked between the snapshot and the map update was not seen by the fork hook as tracked.
        var later = ProcessTable.WithDescendants(followed, ProcessTable.Snapshot());
        foreach (var pid in later.Where(p => p != self && !followed.Contains(p)))
        {
            tracked.Update((uint)pid, default(TrackedProcess));
            followed.Add(pid);
        }
        var names = table.Where(e => followed.Contains(e.Pid)).Select(e => $"{e.Comm}({e.Pid})").Take(12).ToList();
        if (followed.Count == 0)
        {
            _log.LogInformation("No running process is named {Names} yet: following any that starts with that name", string.Join(" or ", _options.Comms));
        }
        else
        {
            _log.LogInformation("Following {Count} running process(es) and their future children: {Processes}{More}", followed.Count,
                string.Join(", ", names), followed.Count > names.Count ? ", …" : string.Empty);
        }
        if (_discovery is not null)
        {
            foreach (var pid in followed)
            {
                _discovery.ScanNow(pid);
            }
        }
    }

    private static string Truncate(string comm)
    {
        var bytes = CommNames.Encode(comm);
        var length = Array.IndexOf(bytes, (byte)0);
        return System.Text.Encoding.UTF8.GetString(bytes, 0, length < 0 ? bytes.Length : length);
    }

    private void StartCommand()
    {
        if (_options.Command.Count == 0)
        {
            return;
        }
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal);
        LauncherEnvironment.RemoveFrom(environment);
        var user = _options.CommandUser;
        _command = CommandLauncher.Start(_options.Command, user, user?.Apply(environment) ?? environment, _options.WorkingDirectory, _options.CommandOutput);
        _command.WaitUntilRunning();
        _process!.Map("tracked").Update((uint)_command.Pid, new TrackedProcess { MuteExecs = _command.MutedExecs });
        _command.Release();
        // The loop sees the exit at once instead of at its next tick (up to 50 ms of every run's end).
        var poller = _poller;
        _ = _command.Exited.ContinueWith(_ => poller?.Wake(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _log.LogInformation("Started {Command} (pid {Pid}{User}), traced from its first instruction", string.Join(' ', _options.Command), _command.Pid,
            user is null ? string.Empty : $", as {user.Name ?? user.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// The processes whose resources are sampled: the followed tree as the kernel keeps it (the command, -p, -c and every
    /// descendant). Without a followed tree (trace of every process) nothing is sampled: sampling the whole machine is
    /// not a recorder's place, and only record and demo ask for samples.
    /// </summary>
    private IEnumerable<int> SampledPids() => _options.FollowTree
        ? _process!.Map("tracked").Keys<uint>().Select(pid => (int)pid)
        : [];

    /// <summary>How many processes are still followed (pruning entries of processes that are gone).</summary>
    private int FollowedCount()
    {
        var tracked = _process!.Map("tracked");
        var count = 0;
        foreach (var pid in tracked.Keys<uint>())
        {
            if (ProcessTable.Exists((int)pid))
            {
                count++;
            }
            else
            {
                tracked.Delete(pid);
            }
        }
        return count;
    }
}
