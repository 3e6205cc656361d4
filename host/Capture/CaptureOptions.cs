namespace AgentSight.Host.Capture;

/// <summary>What one capture session traces and emits.</summary>
internal sealed class CaptureOptions
{
    public const long DefaultMaxCapture = 4L * 1024 * 1024;
    public const int DefaultTlsRingMb = 32;
    public const int DefaultProcessRingMb = 8;
    public const int DefaultIoRingMb = 16;
    public const long DefaultStdioLimit = 32L * 1024 * 1024;

    /// <summary>Emit <c>ssl</c> events (loads and attaches the TLS program).</summary>
    public bool Tls { get; init; }

    /// <summary>Which <c>process</c> events go on the bus (<see cref="ProcessEmit.None"/>: no process runner).</summary>
    public ProcessEmit ProcessEvents { get; init; }

    /// <summary>Emit <c>socket</c> events: plaintext TCP and named UNIX stream sockets of followed processes (not TLS ones).</summary>
    public bool Sockets { get; init; }

    /// <summary>Which stdio streams of followed processes become <c>stdio</c> events.</summary>
    public StdioCapture Stdio { get; init; }

    /// <summary>stdio bytes captured per process at most; the rest is counted (<c>limit_bytes</c>).</summary>
    public long StdioLimit { get; init; } = DefaultStdioLimit;

    public int IoRingMb { get; init; } = DefaultIoRingMb;

    /// <summary>The io program runs (sockets or stdio).</summary>
    public bool Io => Sockets || Stdio != StdioCapture.Off;

    /// <summary>Emit <c>network</c> events: connect() results, TLS hellos, TLS connections no probe saw (record, trace, demo).</summary>
    public bool NetworkEvents { get; init; }

    /// <summary>
    /// How often the CPU time and memory of every traced process are sampled into <c>resource</c> events (record, trace,
    /// demo); zero: never.
    /// </summary>
    public TimeSpan ResourceInterval { get; init; }

    /// <summary>Only a process tree (seeded by <see cref="Pids"/>, <see cref="Comms"/>, <see cref="Command"/>), or everything.</summary>
    public bool FollowTree => Pids.Count > 0 || Comms.Count > 0 || Command.Count > 0;

    public IReadOnlyList<int> Pids { get; init; } = [];

    /// <summary>Process names to follow (matched exactly, as the kernel truncates them: 15 bytes).</summary>
    public IReadOnlyList<string> Comms { get; init; } = [];

    public uint? Uid { get; init; }

    /// <summary><c>record -- CMD</c>: the command to start and trace; the session ends when it exits.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Where the command starts (null: the current folder).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The command's output and error go to this file, its input is /dev/null (<c>top -- CMD</c>: the view has the terminal); null: it shares the terminal.</summary>
    public string? CommandOutput { get; init; }

    /// <summary>Programs with their own TLS library to probe (<c>--binary-path</c>).</summary>
    public IReadOnlyList<string> BinaryPaths { get; init; } = [];

    /// <summary>Probe the system's libssl.so.* up front.</summary>
    public bool SystemLibraries { get; init; } = true;

    /// <summary>Look at what traced processes map (on exec) for more TLS libraries and binaries.</summary>
    public bool DiscoverTls { get; init; } = true;

    /// <summary>
    /// Stop a followed process when it runs a program not looked into yet, until discovery has probed it (a few
    /// milliseconds; once per program): a program that connects at once is otherwise seen only from its second run.
    /// </summary>
    public bool HoldNewPrograms { get; init; } = true;

    /// <summary>
    /// Where TLS probes are attached when processes are followed: in each followed process that runs a file with TLS
    /// (no other process traps on them), or in the file itself, for every process that maps it.
    /// </summary>
    public ProbeScope ProbeScope { get; init; } = ProbeScope.Followed;

    /// <summary>
    /// Probe a thin <c>SSL_*_ex</c> wrapper's internal function when that avoids a single-stepped instruction
    /// (<see cref="ProbePlacement"/>); false probes every exported entry, as the original tool did (benchmarks).
    /// </summary>
    public bool ProbeInternalFunctions { get; init; } = true;

    /// <summary>HANDSHAKE events.</summary>
    public bool Handshakes { get; init; } = true;

    /// <summary>Bytes captured per TLS call at most; the rest is counted in <c>bytes_lost</c>.</summary>
    public long MaxCapture { get; init; } = DefaultMaxCapture;

    public int TlsRingMb { get; init; } = DefaultTlsRingMb;

    public int ProcessRingMb { get; init; } = DefaultProcessRingMb;

    /// <summary>
    /// The nice value of the host's analyzer and sink threads while the capture runs (<see cref="PipelinePriority"/>);
    /// 0 keeps the host's own priority.
    /// </summary>
    public int PipelineNice { get; init; } = DefaultPipelineNice;

    public const int DefaultPipelineNice = 19;

    /// <summary>End the session when every followed process has exited (<c>-p</c> without <c>-c</c>).</summary>
    public bool StopWhenTreeEmpty => Command.Count == 0 && Comms.Count == 0 && Pids.Count > 0;

    /// <summary>Run the command as this user (the one behind sudo); null: as the host runs.</summary>
    public UserIdentity? CommandUser { get; init; }

    /// <summary>Problems with these options, one line each.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Tls && ProcessEvents == ProcessEmit.None && !Io)
        {
            yield return "nothing to capture: enable TLS or process events";
        }
        if (Io && !FollowTree)
        {
            yield return "--sockets and --stdio capture a followed process tree only (-- COMMAND, -p PID or -c NAME)";
        }
        if (StdioLimit < 0)
        {
            yield return "--stdio-limit cannot be negative";
        }
        if (MaxCapture < 0 || MaxCapture > RecordLayout.MaxCaptureLimit)
        {
            yield return $"--max-capture must be between 0 and {RecordLayout.MaxCaptureLimit} bytes (4 MiB)";
        }
        if (PipelineNice is < 0 or > 19)
        {
            yield return $"--pipeline-nice must be between 0 (the host's own priority) and 19, got {PipelineNice}";
        }
        foreach (var (name, value) in new[] { ("--ring-mb", TlsRingMb), ("process ring", ProcessRingMb), ("io ring", IoRingMb) })
        {
            if (value < 1 || value > 1024 || (value & (value - 1)) != 0)
            {
                yield return $"{name} must be a power of two between 1 and 1024 (MiB), got {value}";
            }
        }
        if (ResourceInterval < TimeSpan.Zero || ResourceInterval > TimeSpan.FromHours(1))
        {
            yield return $"--resource-interval must be between 0 (off) and 3600000 ms, got {ResourceInterval.TotalMilliseconds:0}";
        }
        if (Comms.Count > RecordLayout.MaxComms)
        {
            yield return $"at most {RecordLayout.MaxComms} process names (-c) can be followed";
        }
        foreach (var pid in Pids.Where(p => p <= 0))
        {
            yield return $"-p {pid}: a process id is a positive number";
        }
        foreach (var comm in Comms.Where(c => c.Length == 0))
        {
            yield return "-c: a process name cannot be empty";
        }
    }
}
