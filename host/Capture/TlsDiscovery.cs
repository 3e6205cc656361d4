using System.Diagnostics;
using System.Text.RegularExpressions;
using AgentSight.Host.Capture.Discovery;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Capture;

/// <summary>
/// Finds what to probe for TLS: the system's <c>libssl.so.*</c> up front, the binaries the user names, the program a
/// recorded command runs, and, as traced processes exec or map a file executable (a library or Node addon loaded
/// late), whatever they map: each file is looked into once by <see cref="Discovery.BinaryDiscovery"/> (exported
/// OpenSSL, BoringSSL in Bun, static OpenSSL, aws-lc under rustls, Go). Scans run on their own thread so that reading
/// a 400 MB binary never holds up the ring buffers.
/// </summary>
internal sealed partial class TlsDiscovery : IDisposable
{
    /// <summary>After an exec the program's libraries are mapped by the loader a moment later, so look again.</summary>
    private static readonly TimeSpan[] RescanDelays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    /// <summary>
    /// After a file is mapped executable: the record comes from the mmap call's entry, so the mapping appears in
    /// /proc/PID/maps a moment later.
    /// </summary>
    private static readonly TimeSpan[] MappedDelays = [TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(300)];

    private static readonly string[] LibraryFolders =
    [
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib", "/usr/local/lib64",
    ];

    private readonly TlsProbes _probes;
    private readonly ILogger _log;
    private readonly PriorityQueue<int, long> _queue = new();
    private readonly Lock _gate = new();
    // Set when a scan is scheduled; no spinning before the worker sleeps (SemaphoreSlim spins first): on two cores that
    // spinning, once per exec, competed with the traced programs.
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _worker;
    private readonly Dictionary<int, HashSet<FileIdentity>> _mapped = [];
    private readonly Dictionary<int, string> _execPaths = [];
    // Holds not yet answered, by process: a scan answers those made before it began (a hold made during a scan, such
    // as an mmap while a rescan of the same process runs, waits for the next scan; one SIGCONT ends them all).
    private readonly Dictionary<int, int> _held = [];
    // Scoped probes: files a process mapped whose probes are still to be attached for it (not in its maps yet).
    private readonly Dictionary<int, List<FileIdentity>> _toLink = [];
    // Scoped probes: the libraries with probes each program was seen mapping, attached at its next exec before it maps
    // them (a registration after a quiet spell waits for a kernel grace period, about 10 ms, which it would be held for).
    private readonly Dictionary<FileIdentity, HashSet<FileIdentity>> _librariesOf = [];
    private const int MaxProgramsRemembered = 1024;
    private volatile bool _widen;
    private int _widenedFor;
    // Processes that exited: their rescans are skipped (a build's short programs are gone before most of them, and
    // reading a vanished /proc entry costs an exception each).
    private readonly HashSet<int> _exited = [];

    public TlsDiscovery(TlsProbes probes, ILogger log)
    {
        _probes = probes;
        _log = log;
        _worker = new Thread(Work) { IsBackground = true, Name = "agentsight-tls-discovery" };
        _worker.Start();
    }

    /// <summary>Probes every OpenSSL <c>libssl.so.*</c> the dynamic loader knows or the usual folders hold.</summary>
    public void AttachSystemLibraries()
    {
        var candidates = SystemLibraryCandidates();
        if (candidates.Count == 0)
        {
            _log.LogWarning("TLS: no system libssl.so found (the loader's cache /etc/ld.so.cache, or ldconfig -p, and the usual folders); only programs named with --binary-path or found in traced processes are probed");
        }
        foreach (var path in candidates)
        {
            _probes.TryAttach(path, path, requested: true);
        }
    }

    /// <summary>Probes a binary the user named; false (logged) when it cannot be probed.</summary>
    public bool AttachBinary(string path)
    {
        var full = Posix.Canonical(path) ?? Path.GetFullPath(path);
        var result = _probes.TryAttach(full, full, requested: true, fullSymbolTable: true);
        return result.Outcome is TlsAttachOutcome.Attached or TlsAttachOutcome.AlreadyAttached;
    }

    /// <summary>
    /// Probes the program <paramref name="command"/> runs, before it starts: the executable found on
    /// <paramref name="searchPath"/> and, for a script, its interpreter (<c>#!/usr/bin/env node</c>).
    /// </summary>
    public void AttachCommand(string command, string? searchPath)
    {
        var executable = ResolveExecutable(command, searchPath);
        for (var depth = 0; executable is not null && depth < 3; depth++)
        {
            var interpreter = Interpreter(executable, searchPath);
            if (interpreter is null)
            {
                var canonical = Posix.Canonical(executable) ?? executable;
                _probes.TryAttach(canonical, canonical, requested: false);
                return;
            }
            executable = interpreter;
        }
    }

    /// <summary>Looks at the files a process maps now and a few times over the next seconds (called on exec).</summary>
    public void OnExec(int pid, string path, bool held = false)
    {
        lock (_mapped)
        {
            _exited.Remove(pid);
            // Bounded: an entry is used only if the process is gone before its first scan.
            if (_execPaths.Count > 4096)
            {
                _execPaths.Clear();
            }
            _execPaths[pid] = path;
        }
        if (held)
        {
            lock (_gate)
            {
                // Ahead of everything due: the process waits, stopped, until this scan lets it go.
                _held[pid] = _held.GetValueOrDefault(pid) + 1;
                _queue.Enqueue(pid, 0);
            }
        }
        Schedule(pid, RescanDelays);
    }

    /// <summary>
    /// A process mapped a file executable: remembered, and looked into soon when it is new. With scoped probes, a file
    /// with probes not attached for the process yet has them attached at once (<paramref name="held"/>: the kernel
    /// stopped the process until then).
    /// </summary>
    public void OnMapped(int pid, FileIdentity file, bool held = false)
    {
        lock (_mapped)
        {
            if (!_mapped.TryGetValue(pid, out var files))
            {
                _mapped[pid] = files = [];
            }
            files.Add(file);
        }
        // Not held with probes to attach: a process the kernel does not stop (a job of a terminal, --no-hold), or one
        // that has them already (attaching again is a no-op).
        if (held || (_probes.Scoped && _probes.HasPlan(file)))
        {
            lock (_gate)
            {
                if (!_toLink.TryGetValue(pid, out var pending))
                {
                    _toLink[pid] = pending = [];
                }
                pending.Add(file);
            }
            if (held)
            {
                OnHeldForProbes(pid);
            }
            else
            {
                Schedule(pid, [TimeSpan.Zero]);
            }
        }
        if (_probes.PathOf(file) is null)
        {
            Schedule(pid, MappedDelays);
        }
    }

    /// <summary>
    /// Scoped probes: called with a program seen mapping a library with probes, the first time; its next execs should
    /// wake the host at once, so that the library's probes are attached while it starts.
    /// </summary>
    public Action<FileIdentity>? MapsProbedLibraries { get; set; }

    /// <summary>
    /// Scoped probes: a followed process that is never stopped (a job of a terminal) ran a program: it could use a
    /// library before its probes are attached for it, so libraries are probed in every process from now on (once).
    /// </summary>
    public void OnUnholdable(int pid)
    {
        if (!_probes.Scoped || _widen)
        {
            return;
        }
        _widen = true;
        _widenedFor = pid;
        Schedule(pid, [TimeSpan.Zero]);
    }

    /// <summary>The kernel stopped a process until the files it maps are probed for it (scoped probes): done first.</summary>
    public void OnHeldForProbes(int pid)
    {
        lock (_gate)
        {
            _held[pid] = _held.GetValueOrDefault(pid) + 1;
            _queue.Enqueue(pid, 0);
        }
        _wake.Set();
    }

    /// <summary>
    /// Scoped probes: a followed process may run files with TLS that are not probed for it (a child forked by a probed
    /// process runs its parent's files; a process followed from its new name was running already): what it maps is
    /// probed for it at once.
    /// </summary>
    public void OnNeedsProbes(int pid)
    {
        lock (_mapped)
        {
            _exited.Remove(pid);
        }
        Schedule(pid, [TimeSpan.Zero]);
    }

    /// <summary>The files a process mapped executable that were looked into, by path (also after it exited).</summary>
    public List<string> MappedPaths(int pid)
    {
        lock (_mapped)
        {
            return _mapped.TryGetValue(pid, out var files) ? [.. files.Select(_probes.PathOf).OfType<string>()] : [];
        }
    }

    /// <summary>Forgets what an exited process mapped, skips its rescans, and detaches its own probes.</summary>
    public void OnExit(int pid)
    {
        _probes.DetachFor(pid);
        lock (_gate)
        {
            _toLink.Remove(pid);
        }
        lock (_mapped)
        {
            _mapped.Remove(pid);
            if (_exited.Count > 65536)
            {
                _exited.Clear();
            }
            _exited.Add(pid);
        }
    }

    /// <summary>
    /// True when a scan of <paramref name="pid"/> can find nothing: it exited and its program was already looked into
    /// (the first scan after its exec probes the program even when the process is gone).
    /// </summary>
    private bool NothingToScan(int pid)
    {
        lock (_mapped)
        {
            return _exited.Contains(pid) && !_execPaths.ContainsKey(pid);
        }
    }

    private void Schedule(int pid, TimeSpan[] delays)
    {
        var now = Environment.TickCount64;
        lock (_gate)
        {
            foreach (var delay in delays)
            {
                _queue.Enqueue(pid, now + (long)delay.TotalMilliseconds);
            }
        }
        _wake.Set();
    }

    /// <summary>Looks at the files a process maps, now, on the calling thread.</summary>
    public void ScanNow(int pid)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_widen && _probes.Scoped)
        {
            _probes.ProbeLibrariesForAll($"process {_widenedFor} is a job of a terminal, which the capture never stops");
        }
        string? executable;
        lock (_mapped)
        {
            _execPaths.Remove(pid, out executable);
        }
        if (_probes.Scoped)
        {
            LinkLibraries(pid, afterExec: executable is not null);
        }
        var forProcess = _probes.Scoped ? pid : 0;
        var files = ProcMaps.ExecutableFiles(pid);
        if (files.Count == 0 && executable is not null && Path.IsPathRooted(executable))
        {
            // Gone before it could be looked at: its program is still probed, for the next process that runs it.
            files.Add(new MappedFile(executable, executable));
        }
        foreach (var file in files)
        {
            var result = _probes.TryAttach(file.AccessPath, file.Path, requested: false, runByFollowedProcess: true, forProcess: forProcess);
            if (result.Outcome == TlsAttachOutcome.Failed && file.AccessPath != file.Path && File.Exists(file.Path))
            {
                // Gone mid-scan: the same file is usually there under its own path (same mount namespace).
                _probes.TryAttach(file.Path, file.Path, requested: false, runByFollowedProcess: true, forProcess: forProcess);
            }
        }
        _log.LogDebug("TLS: looked at the {Count} files process {Pid} maps in {Elapsed} ms", files.Count, pid,
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// Scoped probes: attaches the libraries <paramref name="pid"/> mapped since the last scan and, on the first scan
    /// after its exec, those its program mapped before (then it is not held at the mapping); remembers which program
    /// mapped which library.
    /// </summary>
    private void LinkLibraries(int pid, bool afterExec)
    {
        List<FileIdentity>? mapped;
        lock (_gate)
        {
            _toLink.Remove(pid, out mapped);
        }
        if (mapped is null && !(afterExec && RemembersPrograms))
        {
            return;
        }
        if (!Posix.TryGetIdentity($"/proc/{pid}/exe", out var program))
        {
            foreach (var file in mapped ?? [])
            {
                _probes.AttachFor(pid, file);
            }
            return;
        }
        foreach (var library in afterExec ? LibrariesOf(program) : [])
        {
            _probes.AttachFor(pid, library);
        }
        foreach (var file in mapped ?? [])
        {
            if (_probes.AttachFor(pid, file))
            {
                Remember(program, file);
            }
        }
    }

    private bool RemembersPrograms
    {
        get
        {
            lock (_librariesOf)
            {
                return _librariesOf.Count > 0;
            }
        }
    }

    private List<FileIdentity> LibrariesOf(FileIdentity program)
    {
        lock (_librariesOf)
        {
            return _librariesOf.TryGetValue(program, out var libraries) ? [.. libraries] : [];
        }
    }

    private void Remember(FileIdentity program, FileIdentity library)
    {
        bool first;
        lock (_librariesOf)
        {
            first = !_librariesOf.TryGetValue(program, out var libraries);
            if (first)
            {
                if (_librariesOf.Count >= MaxProgramsRemembered)
                {
                    return;
                }
                _librariesOf[program] = libraries = [];
            }
            libraries!.Add(library);
        }
        if (first)
        {
            MapsProbedLibraries?.Invoke(program);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _wake.Set();
        _worker.Join(TimeSpan.FromSeconds(5));
        // Whatever happens, no process stays stopped because of us.
        lock (_gate)
        {
            foreach (var pid in _held.Keys)
            {
                Posix.Kill(pid, Posix.SIGCONT);
            }
            _held.Clear();
        }
        _stop.Dispose();
        _wake.Dispose();
    }

    internal static List<string> SystemLibraryCandidates()
    {
        var paths = new List<string>();
        paths.AddRange(FromLdconfig());
        // Each folder once: /lib is usually /usr/lib, and reading a library folder of thousands of entries twice cost
        // milliseconds of every start.
        var folders = new HashSet<FileIdentity>();
        foreach (var folder in LibraryFolders)
        {
            if (!Posix.TryGetIdentity(folder, out var identity) || !folders.Add(identity))
            {
                continue;
            }
            try
            {
                paths.AddRange(Directory.EnumerateFiles(folder, "libssl.so*").Where(p => LibSslName().IsMatch(Path.GetFileName(p))));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // An unreadable folder holds nothing we can probe.
            }
        }
        // One entry per file (uprobes belong to the inode): /lib and /usr/lib are often the same folder.
        var seen = new HashSet<FileIdentity>();
        var unique = new List<string>();
        // Named as the processes' maps name them: every symbolic link resolved.
        foreach (var path in paths.Select(p => Posix.Canonical(p)).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (Posix.TryGetIdentity(path, out var identity) && seen.Add(identity))
            {
                unique.Add(path);
            }
        }
        return unique;
    }

    private static IEnumerable<string> FromLdconfig()
    {
        // The loader's cache read in place: what ldconfig -p prints, without a child process on every start.
        if (LdSoCache.Read() is { } cache)
        {
            return cache.Where(e => LibSslName().IsMatch(e.Name)).Select(e => e.Path).ToList();
        }
        foreach (var ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig" })
        {
            if (!File.Exists(ldconfig))
            {
                continue;
            }
            string output;
            try
            {
                using var process = Process.Start(new ProcessStartInfo(ldconfig, "-p") { RedirectStandardOutput = true, UseShellExecute = false })!;
                output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException)
            {
                continue;
            }
            // "	libssl.so.3 (libc6,x86-64) => /lib/x86_64-linux-gnu/libssl.so.3"
            return output.Split('\n')
                .Select(line => line.Split(" => ", 2))
                .Where(parts => parts.Length == 2 && LibSslName().IsMatch(parts[0].Trim().Split(' ')[0]) && parts[0].Contains("x86-64", StringComparison.Ordinal))
                .Select(parts => parts[1].Trim())
                .ToList();
        }
        return [];
    }

    internal static string? ResolveExecutable(string command, string? searchPath)
    {
        if (command.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(command) ? Path.GetFullPath(command) : null;
        }
        foreach (var folder in (searchPath ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, command);
            if (File.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }
        return null;
    }

    /// <summary>The interpreter a script names on its <c>#!</c> line (through <c>env</c>), or null for a binary.</summary>
    internal static string? Interpreter(string path, string? searchPath)
    {
        string first;
        try
        {
            using var reader = new StreamReader(path);
            var buffer = new char[256];
            var read = reader.Read(buffer, 0, buffer.Length);
            first = new string(buffer, 0, read).Split('\n')[0];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (!first.StartsWith("#!", StringComparison.Ordinal))
        {
            return null;
        }
        var words = first[2..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return null;
        }
        if (Path.GetFileName(words[0]) == "env")
        {
            var program = words.Skip(1).FirstOrDefault(w => !w.StartsWith('-'));
            return program is null ? null : ResolveExecutable(program, searchPath);
        }
        return File.Exists(words[0]) ? words[0] : null;
    }

    /// <summary>
    /// Lets a process the kernel stopped go, once what it runs is probed: when <paramref name="answered"/> holds were
    /// all it had (another made since waits for its own scan).
    /// </summary>
    private void Release(int pid, int answered)
    {
        if (answered == 0)
        {
            return;
        }
        lock (_gate)
        {
            var left = _held.GetValueOrDefault(pid) - answered;
            if (left > 0)
            {
                _held[pid] = left;
                return;
            }
            _held.Remove(pid);
        }
        Posix.Kill(pid, Posix.SIGCONT);
    }

    private void Work()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            int pid;
            long wait;
            var answered = 0;
            lock (_gate)
            {
                if (_queue.TryPeek(out pid, out var due))
                {
                    wait = due - Environment.TickCount64;
                    if (wait <= 0)
                    {
                        _queue.Dequeue();
                        answered = _held.GetValueOrDefault(pid);
                    }
                }
                else
                {
                    wait = Timeout.Infinite;
                }
                if (wait > 0 || wait == Timeout.Infinite)
                {
                    // Under the lock: a scan scheduled from here on sets the event after this, so no wake-up is lost.
                    _wake.Reset();
                }
            }
            if (wait > 0 || wait == Timeout.Infinite)
            {
                _wake.Wait(wait == Timeout.Infinite ? Timeout.Infinite : (int)Math.Min(wait, int.MaxValue));
                continue;
            }
            try
            {
                if (!NothingToScan(pid))
                {
                    ScanNow(pid);
                }
            }
            catch (Exception ex)
            {
                // A discovery problem must not end the capture; what was probed stays probed.
                _log.LogWarning("TLS: looking at the libraries of process {Pid} failed: {Reason}", pid, ex.Message);
            }
            finally
            {
                Release(pid, answered);
            }
        }
    }

    [GeneratedRegex(@"^libssl\.so(\.[0-9]+)*$")]
    private static partial Regex LibSslName();
}
