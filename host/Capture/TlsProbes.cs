using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using AgentSight.Host.Bpf;
using AgentSight.Host.Capture.Discovery;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Capture;

/// <summary>
/// Attaches the TLS programs to the files discovery finds TLS in. Each file gets a cookie, which the records carry
/// back, so events can name the library that saw them.
/// </summary>
/// <remarks>
/// Uprobes belong to the file's inode: attached once per file they stop every process that runs the file, traced or
/// not, and the programs' filter keeps the traced ones. When the capture follows processes, a library's probes are
/// scoped to them (<c>scoped</c>): attached per process instead (<see cref="AttachFor"/>), so that nobody else traps.
/// Such a library is only planned until a followed process maps it, and the process BPF program stops that process
/// until its probes are attached (the probe_links map, kept by <see cref="Linked"/>); see <see cref="IsLibrary"/>.
/// </remarks>
internal sealed class TlsProbes : IDisposable
{
    /// <summary>The programs attached for each kind of function: at its entry, and at its return (or none).</summary>
    private static readonly Dictionary<ProbeKind, (string Entry, string? Exit)> Programs = new()
    {
        [ProbeKind.SslRead] = ("ssl_read_enter", "ssl_read_exit"),
        [ProbeKind.SslWrite] = ("ssl_write_enter", "ssl_write_exit"),
        [ProbeKind.SslReadEx] = ("ssl_read_ex_enter", "ssl_read_ex_exit"),
        [ProbeKind.SslWriteEx] = ("ssl_write_ex_enter", "ssl_write_ex_exit"),
        [ProbeKind.SslWriteInternalFlags] = ("ssl_write_flags_enter", "ssl_write_ex_exit"),
        [ProbeKind.SslHandshake] = ("ssl_handshake_enter", "ssl_handshake_exit"),
        [ProbeKind.AeadSeal] = ("aead_seal_enter", null),
        [ProbeKind.AeadSealScatter] = ("aead_seal_scatter_enter", null),
        [ProbeKind.AeadOpen] = ("aead_open_enter", "aead_open_exit"),
        [ProbeKind.GoWrite] = ("go_tls_write_enter", null),
        [ProbeKind.GoRead] = ("go_tls_read_enter", null),
        [ProbeKind.GoWriteAtStackCheck] = ("go_tls_write_check", null),
        [ProbeKind.GoReadAtStackCheck] = ("go_tls_read_check", null),
    };

    /// <summary>Attached at each RET of a Go function (no return probes on Go's movable stacks).</summary>
    private const string GoReadReturn = "go_tls_read_return";

    private readonly Dictionary<string, BpfProgram> _programs;
    private readonly ILogger _log;
    private readonly BinaryDiscovery _discovery;
    private readonly DiscoveryCache _cache;
    private readonly string _cacheVariant;
    private readonly Lock _gate = new();
    private readonly Dictionary<FileIdentity, FileDiscovery?> _checked = [];
    // Files a followed process was seen running or mapping (not only probed up front): what RecentTlsFiles keeps.
    private readonly HashSet<FileIdentity> _run = [];
    private readonly ConcurrentDictionary<string, FileDiscovery> _byPath = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<FileIdentity, string> _paths = new();
    private readonly List<BpfLink> _links = [];
    private readonly bool _scoped;
    // Scoped: how to attach each file with TLS, and what is attached for each process.
    // Read by the ring reader (HasPlan): never behind _gate, which a file's analysis can hold for seconds.
    private readonly ConcurrentDictionary<FileIdentity, ProbePlan> _plans = new();
    // Under _linksGate (taken after _gate, never before it): an exit detaches without waiting for an analysis.
    private readonly Lock _linksGate = new();
    private readonly Dictionary<int, Dictionary<FileIdentity, List<BpfLink>>> _byProcess = [];
    private bool _linksClosed;
    private volatile bool _widened;
    private readonly LinkReleaser _releaser = new();
    private readonly ConcurrentDictionary<ulong, string> _libraries = new();
    private readonly ConcurrentDictionary<ulong, bool> _stripped = new();
    private readonly bool _multiLinks;
    private readonly Task _loaded;
    private ulong _nextCookie = 1;
    private bool _disposed;

    /// <summary>
    /// The programs of <paramref name="tls"/> this class attaches; before the object is loaded, each is set to be loaded
    /// for uprobe_multi links when the kernel has them (<see cref="PrepareForMultiLinks"/>).
    /// </summary>
    public static IEnumerable<string> ProgramNames =>
        Programs.Values.SelectMany(p => new[] { p.Entry, p.Exit }).OfType<string>().Append(GoReadReturn).Distinct();

    /// <summary>
    /// Before <paramref name="tls"/> is loaded: its probe programs will be attached with one uprobe_multi link per file
    /// and program (a detach then waits once, not once per function) when the kernel has them. Returns whether it does.
    /// </summary>
    public static bool PrepareForMultiLinks(BpfObject tls)
    {
        if (!UprobeMulti.Supported)
        {
            return false;
        }
        foreach (var name in ProgramNames)
        {
            tls.SetExpectedAttachType(name, UprobeMulti.AttachType);
        }
        return true;
    }

    /// <param name="loaded">
    /// Completes once <paramref name="tls"/> is loaded, when the probes are made before that: files are looked into at
    /// once, and attaching waits for it (throwing when the load failed).
    /// </param>
    /// <param name="scoped">Attach per followed process (<see cref="AttachFor"/>), not per file; needs <paramref name="multiLinks"/>.</param>
    public TlsProbes(BpfObject tls, ILogger log, bool probeInternalFunctions = true, DiscoveryCache? cache = null, bool multiLinks = false, Task? loaded = null,
        bool scoped = false)
    {
        _loaded = loaded ?? Task.CompletedTask;
        _multiLinks = multiLinks;
        _scoped = scoped && multiLinks;
        _log = log;
        _discovery = BinaryDiscovery.Default(probeInternalFunctions);
        _cache = cache ?? DiscoveryCache.None;
        _cacheVariant = probeInternalFunctions ? string.Empty : "-entries";
        _programs = ProgramNames.ToDictionary(n => n, tls.Program, StringComparer.Ordinal);
    }

    /// <summary>The library or binary a record's cookie names.</summary>
    public string? LibraryName(ulong cookie) => _libraries.TryGetValue(cookie, out var name) ? name : null;

    /// <summary>True when the probes a cookie names were placed without a symbol saying where (see <see cref="ProbeVerifier"/>).</summary>
    public bool FoundInStrippedCode(ulong cookie) => _stripped.ContainsKey(cookie);

    /// <summary>What discovery said about a file, by the path a process maps it under (null when never looked at).</summary>
    public FileDiscovery? DiscoveryOf(string path) => _byPath.TryGetValue(path, out var found) ? found : null;

    /// <summary>The path a file was first looked into under, or null when it never was.</summary>
    public string? PathOf(FileIdentity identity) => _paths.TryGetValue(identity, out var path) ? path : null;

    /// <summary>The files with TLS probed so far that a followed process ran or mapped, under the path each was first seen by.</summary>
    public List<(string Path, FileIdentity Identity)> ProbedFilesRun()
    {
        lock (_gate)
        {
            var probed = new List<(string, FileIdentity)>();
            foreach (var identity in _run)
            {
                if (_checked.GetValueOrDefault(identity) is { HasTls: true } && _paths.TryGetValue(identity, out var path))
                {
                    probed.Add((path, identity));
                }
            }
            return probed;
        }
    }

    /// <summary>True when probes are attached per followed process.</summary>
    public bool Scoped => _scoped && !_widened;

    /// <summary>
    /// Called once each new file has been looked into (whatever was found): the BPF side stops hurrying for it. True
    /// when it has probes to attach per process (scoped), which the BPF side then holds followed processes for.
    /// </summary>
    public Action<FileIdentity, bool>? Examined { get; set; }

    /// <summary>Scoped: (process, file, true) once a file's probes are attached for a process; false once detached.</summary>
    public Action<int, FileIdentity, bool>? Linked { get; set; }

    /// <summary>
    /// Scoped: attaches <paramref name="file"/>'s probes for process <paramref name="pid"/> unless they are already;
    /// false when the file has no probes or the process is gone.
    /// </summary>
    public bool AttachFor(int pid, FileIdentity file)
    {
        if (!Scoped)
        {
            return false;
        }
        lock (_linksGate)
        {
            return !_linksClosed && AttachForLocked(pid, file);
        }
    }

    /// <summary>Scoped: whether <paramref name="file"/> has probes, attached per process.</summary>
    public bool HasPlan(FileIdentity file) => _plans.ContainsKey(file);

    /// <summary>
    /// Scoped: from now on every library is probed in every process that maps it, as with <c>--probe-scope all</c>
    /// (once; <paramref name="reason"/> is logged). The probes for all are attached before the per-process ones go, so
    /// that no call is missed meanwhile; a call seen by both is sent once (its return finds its entry taken).
    /// </summary>
    public void ProbeLibrariesForAll(string reason)
    {
        var released = new List<BpfLink>();
        lock (_gate)
        {
            if (_disposed || !Scoped)
            {
                return;
            }
            _widened = true;
            foreach (var (identity, plan) in _plans)
            {
                try
                {
                    _links.AddRange(AttachPlan(plan, $"/proc/self/fd/{plan.Fd}", pid: 0));
                }
                catch (BpfException ex)
                {
                    _log.LogWarning("TLS: cannot probe {Library} in every process: {Reason}", plan.Path, ex.Message);
                }
                // No more holds for it.
                Examined?.Invoke(identity, false);
            }
            lock (_linksGate)
            {
                TakeProcessLinksLocked(released, forget: true);
            }
        }
        _releaser.Release(released);
        _log.LogInformation("TLS: {Reason}: libraries are now probed in every process that maps them, as with --probe-scope all", reason);
    }

    /// <summary>Scoped: a process exited; its probes are detached in the background.</summary>
    public void DetachFor(int pid)
    {
        Dictionary<FileIdentity, List<BpfLink>>? files;
        lock (_linksGate)
        {
            if (!_byProcess.Remove(pid, out files))
            {
                return;
            }
            foreach (var file in files.Keys)
            {
                Linked?.Invoke(pid, file, false);
            }
        }
        _releaser.Release(files.Values.SelectMany(l => l));
    }

    /// <summary>Probes <paramref name="accessPath"/> if it carries a TLS stack and has not been looked at before.</summary>
    /// <param name="accessPath">Where to open the file from this process.</param>
    /// <param name="displayPath">The path to show (as the traced process sees it).</param>
    /// <param name="requested">Named by the user or a system candidate: every outcome is logged, not only success.</param>
    /// <param name="fullSymbolTable">Also look in the full symbol table (for binaries named explicitly).</param>
    /// <param name="runByFollowedProcess">Found in a followed process's mappings (rather than probed up front).</param>
    /// <param name="forProcess">Scoped: a process that maps the file, to attach its probes for (0: none).</param>
    public TlsAttachResult TryAttach(string accessPath, string displayPath, bool requested, bool fullSymbolTable = false, bool runByFollowedProcess = false,
        int forProcess = 0)
    {
        if (!Posix.TryGetIdentity(accessPath, out var identity))
        {
            // Reached through /proc/PID/root of a process that has just exited: the file is usually still there
            // under its own path (same mount namespace), and uprobes belong to the file, not the path.
            if (accessPath == displayPath || !Posix.TryGetIdentity(displayPath, out identity))
            {
                return Report(TlsAttachResult.Failed(displayPath, "not found"), requested);
            }
            accessPath = displayPath;
        }
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (runByFollowedProcess)
            {
                _run.Add(identity);
            }
            if (_checked.TryGetValue(identity, out var earlier))
            {
                if (earlier is not null)
                {
                    _byPath.TryAdd(displayPath, earlier with { Path = displayPath });
                }
                if (forProcess > 0 && earlier is { HasTls: true })
                {
                    AttachFor(forProcess, identity);
                }
                return earlier is { HasTls: true }
                    ? TlsAttachResult.AlreadyAttached(displayPath, earlier.Path)
                    : TlsAttachResult.Skipped(displayPath, earlier?.Summary ?? "already looked at: it could not be read");
            }

            _paths.TryAdd(identity, displayPath);
            FileDiscovery found;
            try
            {
                found = Discover(accessPath, displayPath, fullSymbolTable);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                if (ex is DirectoryNotFoundException or FileNotFoundException && accessPath.StartsWith("/proc/", StringComparison.Ordinal))
                {
                    // The process it was reached through has just exited: not this file's fault, try again next time.
                    _paths.TryRemove(identity, out _);
                    return TlsAttachResult.Failed(displayPath, "the process mapping it has exited");
                }
                _checked[identity] = null;
                Examined?.Invoke(identity, false);
                return Report(TlsAttachResult.Failed(displayPath, ex.Message), requested);
            }
            _checked[identity] = found;
            _byPath[displayPath] = found;
            if (!found.HasTls)
            {
                Examined?.Invoke(identity, false);
                var result = TlsAttachResult.Skipped(displayPath, found.Summary);
                // A TLS library that could not be opened is worth saying even when nobody asked for this file.
                return Report(result, requested || found.Problems.Count > 0);
            }
            var attached = Attach(identity, accessPath, displayPath, found);
            if (attached.Outcome == TlsAttachOutcome.Failed && !File.Exists(accessPath))
            {
                // Gone between the analysis and the attachment: looked at again when it is seen next.
                _checked.Remove(identity);
            }
            // Told only now: with scoped probes, the BPF side holds a followed process that runs the file until
            // they are attached for it, which needs the plan.
            Examined?.Invoke(identity, _plans.ContainsKey(identity));
            if (forProcess > 0 && attached.Outcome == TlsAttachOutcome.Attached)
            {
                AttachFor(forProcess, identity);
            }
            return attached;
        }
    }

    public void Dispose()
    {
        var links = new List<BpfLink>();
        HandOverLinks(links);
        BpfLink.DetachInBackground(links);
    }

    /// <summary>
    /// Stops attaching and moves every probe's link into <paramref name="links"/>, for the caller to detach together
    /// with its own (one set of holder processes for the whole capture: <see cref="BpfLink.DetachInBackground"/>).
    /// </summary>
    public void HandOverLinks(List<BpfLink> links)
    {
        lock (_gate)
        {
            _disposed = true;
            links.AddRange(_links);
            _links.Clear();
            lock (_linksGate)
            {
                _linksClosed = true;
                // The maps go with the capture: nothing to tell them.
                TakeProcessLinksLocked(links, forget: false);
            }
            links.AddRange(_releaser.Stop());
        }
    }

    private FileDiscovery Discover(string accessPath, string displayPath, bool fullSymbolTable)
    {
        string? key = null;
        using (var elf = ElfImage.Open(accessPath))
        {
            key = DiscoveryCache.KeyOf(accessPath, elf.BuildId) is { } k ? k + _cacheVariant + (fullSymbolTable ? "-symtab" : string.Empty) : null;
        }
        if (key is not null && _cache.Read(key, displayPath) is { } cached)
        {
            return cached;
        }
        var found = _discovery.Analyse(accessPath, displayPath, fullSymbolTable);
        if (found.Elapsed > TimeSpan.FromMilliseconds(100))
        {
            _log.LogInformation("TLS: looked into {File} in {Seconds:0.00} s: {Summary}", displayPath, found.Elapsed.TotalSeconds, found.Summary);
        }
        if (key is not null)
        {
            _cache.Write(key, found);
        }
        return found;
    }

    private TlsAttachResult Attach(FileIdentity identity, string accessPath, string displayPath, FileDiscovery found)
    {
        var cookie = _nextCookie++;
        var perProcess = Scoped && IsLibrary(displayPath);
        var labels = found.Stacks.SelectMany(s => s.Sites).Select(p => p.Function).ToList();
        ProbePlan plan;
        var links = new List<BpfLink>();
        try
        {
            plan = Plan(accessPath, displayPath, found, cookie);
            if (perProcess)
            {
                // Held open for later attachments: the path may be a vanishing /proc/PID/root one, or be replaced.
                plan.Fd = Posix.Open(accessPath, Posix.OPath | Posix.OCloexec);
                if (plan.Fd < 0)
                {
                    throw new IOException($"cannot open {accessPath} (errno {Marshal.GetLastPInvokeError()})");
                }
            }
            else
            {
                links.AddRange(AttachPlan(plan, accessPath, pid: 0));
            }
        }
        catch (Exception ex) when (ex is BpfException or InvalidDataException or IOException)
        {
            // A process that has just exited takes its /proc/PID/root path with it: tried again under the file's own path.
            return Report(TlsAttachResult.Failed(displayPath, ex.Message), requested: File.Exists(accessPath));
        }
        _libraries[cookie] = displayPath;
        if (found.Stacks.Any(s => s.Method != "exported symbols"))
        {
            _stripped[cookie] = true;
        }
        if (perProcess)
        {
            _plans[identity] = plan;
        }
        _links.AddRange(links);
        var stacks = string.Join("; ", found.Stacks.Select(s => $"{s.Title} by {s.Method}: {string.Join(", ", s.Sites.Select(p => p.Function))}"));
        _log.LogInformation("TLS: probing {Library}{Program} ({Stacks}){Cached}{Scope}", displayPath,
            found.Program is { } program ? $", {program}," : string.Empty, stacks, found.FromCache ? ", from the discovery cache" : string.Empty,
            perProcess ? ", in each followed process that maps it" : string.Empty);
        foreach (var note in found.Stacks.SelectMany(s => s.Notes).Where(n => n.Contains("must single-step", StringComparison.Ordinal)))
        {
            _log.LogInformation("TLS: in {Library}, {Note} (docs/CAPTURE.md, \"Probe cost\")", displayPath, note);
        }
        return TlsAttachResult.Success(displayPath, labels);
    }

    /// <summary>
    /// Scoped, only libraries (<c>*.so*</c>, Node addons) get probes per process: one such as libssl is mapped by many
    /// programs nobody follows. A program's own TLS (Node, Bun, a Go or Rust binary) keeps one attachment for every
    /// process that runs it: its probes attached at each exec would hold it there for the kernel's first uprobe
    /// registration after a quiet spell, which waits for a grace period (11-17 ms for Claude Code's binary, measured
    /// here), where the probes attached up front cost nothing to it.
    /// </summary>
    private static bool IsLibrary(string path)
    {
        var name = Path.GetFileName(path);
        return name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal)
            || name.EndsWith(".node", StringComparison.Ordinal);
    }

    /// <summary>Where each program goes in <paramref name="accessPath"/>: (program, return probe) -> file offsets, in the order found.</summary>
    private static ProbePlan Plan(string accessPath, string displayPath, FileDiscovery found, ulong cookie)
    {
        using var elf = ElfImage.Open(accessPath);
        var places = new Dictionary<(string Program, bool Return), List<ulong>>();
        void Place(string program, bool returnProbe, ulong offset)
        {
            if (!places.TryGetValue((program, returnProbe), out var offsets))
            {
                places[(program, returnProbe)] = offsets = [];
            }
            offsets.Add(offset);
        }
        foreach (var stack in found.Stacks)
        {
            foreach (var site in stack.Sites)
            {
                var offset = elf.ToFileOffset(site.EntryProbe) ?? throw new InvalidDataException($"{site.Function} at 0x{site.EntryProbe:x} is outside the file's code");
                var (entry, exit) = Programs[site.Kind];
                Place(entry, false, offset);
                if (exit is not null)
                {
                    Place(exit, true, offset);
                }
                foreach (var ret in site.Returns ?? [])
                {
                    var retOffset = elf.ToFileOffset(ret) ?? throw new InvalidDataException($"a RET of {site.Function} is outside the file's code");
                    Place(GoReadReturn, false, retOffset);
                }
            }
        }
        return new ProbePlan(displayPath, cookie, [.. places.Select(p => (p.Key.Program, p.Key.Return, p.Value))]);
    }

    /// <summary>Attaches a plan's programs (all or none); <paramref name="pid"/> 0: for every process.</summary>
    private List<BpfLink> AttachPlan(ProbePlan plan, string path, int pid)
    {
        _loaded.GetAwaiter().GetResult();
        var links = new List<BpfLink>();
        try
        {
            foreach (var (name, returnProbe, offsets) in plan.Places)
            {
                if (_multiLinks)
                {
                    links.Add(_programs[name].AttachUprobeMulti(path, offsets, returnProbe, plan.Cookie, pid));
                    continue;
                }
                foreach (var offset in offsets)
                {
                    links.Add(_programs[name].AttachUprobe(path, offset, returnProbe, plan.Cookie));
                }
            }
        }
        catch
        {
            foreach (var link in links)
            {
                link.Dispose();
            }
            throw;
        }
        return links;
    }

    /// <summary>
    /// Moves every per-process link into <paramref name="into"/> and drops the plans (their files closed); with
    /// <paramref name="forget"/>, the BPF side is told each process has them no more.
    /// </summary>
    private void TakeProcessLinksLocked(List<BpfLink> into, bool forget)
    {
        foreach (var (pid, files) in _byProcess)
        {
            foreach (var (file, links) in files)
            {
                if (forget)
                {
                    Linked?.Invoke(pid, file, false);
                }
                into.AddRange(links);
            }
        }
        _byProcess.Clear();
        foreach (var plan in _plans.Values)
        {
            Posix.Close(plan.Fd);
        }
        _plans.Clear();
    }

    private bool AttachForLocked(int pid, FileIdentity file)
    {
        // A scan racing the process's exit may attach for a process just gone: those links are released at the end.
        if (!_plans.TryGetValue(file, out var plan))
        {
            return false; // no probes, or probes for every process
        }
        if (!_byProcess.TryGetValue(pid, out var files))
        {
            _byProcess[pid] = files = [];
        }
        if (files.ContainsKey(file))
        {
            return true;
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            files[file] = AttachPlan(plan, $"/proc/self/fd/{plan.Fd}", pid);
        }
        catch (BpfException ex)
        {
            if (files.Count == 0)
            {
                _byProcess.Remove(pid);
            }
            // ESRCH: the process has gone; anything else is worth a line.
            _log.Log(ex.Errno == 3 ? LogLevel.Debug : LogLevel.Warning, "TLS: cannot probe {Library} for process {Pid}: {Reason}", plan.Path, pid, ex.Message);
            return false;
        }
        Linked?.Invoke(pid, file, true);
        _log.LogDebug("TLS: probing {Library} in process {Pid} ({Milliseconds:0.00} ms)", plan.Path, pid,
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return true;
    }

    private TlsAttachResult Report(TlsAttachResult result, bool requested)
    {
        if (requested)
        {
            _log.LogInformation("TLS: not probing {Library}: {Reason}", result.Path, result.Reason);
        }
        else
        {
            _log.LogDebug("TLS: not probing {Library}: {Reason}", result.Path, result.Reason);
        }
        return result;
    }
}

/// <summary>How to attach one file's probes: its path, its cookie, and where each program goes.</summary>
internal sealed record ProbePlan(string Path, ulong Cookie, List<(string Program, bool Return, List<ulong> Offsets)> Places)
{
    /// <summary>Scoped: the file held open (O_PATH), attached through /proc/self/fd.</summary>
    public int Fd { get; set; } = -1;
}
