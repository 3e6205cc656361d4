using System.Globalization;
using System.Runtime.InteropServices;
using AgentSight.Host.Bpf;

namespace AgentSight.Host.Capture;

/// <summary>
/// Checks, before anything is loaded, what live capture needs; the first thing missing is reported as one line that
/// says what is wrong and how to fix it. Paths are settable so tests can point at a machine that lacks something.
/// </summary>
internal sealed class Preflight
{
    private const int CapSysAdmin = 21;
    private const int CapPerfmon = 38;
    private const int CapBpf = 39;
    private const int BpfMapTypeRingbuf = 27;

    public string BtfPath { get; init; } = "/sys/kernel/btf/vmlinux";

    public IReadOnlyList<string> TracefsPaths { get; init; } = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

    public string UprobePmuPath { get; init; } = "/sys/bus/event_source/devices/uprobe/type";

    public string StatusPath { get; init; } = "/proc/self/status";

    public string LibbpfName { get; init; } = Libbpf.Library;

    public Func<uint> EffectiveUid { get; init; } = Posix.GetEuid;

    /// <summary>The first problem, or null when capture can start.</summary>
    /// <param name="needTracefs">Syscall tracepoints will be attached (file opens).</param>
    /// <param name="needUprobes">TLS probes will be attached.</param>
    public PreflightProblem? Check(bool needTracefs, bool needUprobes)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return new("live capture runs on x86-64 Linux only", "replay recordings made elsewhere with ./agentsight replay FILE");
        }
        if (!IsPrivileged())
        {
            return new("capture needs root (or the CAP_BPF and CAP_PERFMON capabilities)", "run it with sudo, e.g. sudo ./agentsight record -- python3 my_agent.py");
        }
        if (!NativeLibrary.TryLoad(LibbpfName, out var libbpf))
        {
            return new($"{LibbpfName} is not installed", "sudo apt-get install libbpf1 (scripts/setup installs it)");
        }
        NativeLibrary.Free(libbpf);
        if (!File.Exists(BtfPath))
        {
            return new($"this kernel has no BTF type information ({BtfPath} is missing)",
                "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian's and Ubuntu's are)");
        }
        if (needTracefs && !TracefsPaths.Any(p => Directory.Exists(Path.Combine(p, "events"))))
        {
            return new($"tracefs is not mounted ({TracefsPaths[0]} is empty)",
                $"sudo mount -t tracefs nodev {TracefsPaths[0]} (scripts/setup does it)");
        }
        if (needUprobes && !File.Exists(UprobePmuPath))
        {
            return new("this kernel has no uprobes (CONFIG_UPROBE_EVENTS)", "TLS capture needs a kernel with uprobes; process capture still works with: ./agentsight process");
        }
        return ProbeBpf();
    }

    /// <summary>Root, or the capabilities that allow BPF tracing.</summary>
    public bool IsPrivileged()
    {
        if (EffectiveUid() == 0)
        {
            return true;
        }
        try
        {
            var line = File.ReadLines(StatusPath).FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
            if (line is null || !ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var caps))
            {
                return false;
            }
            static bool Has(ulong set, int cap) => (set & (1UL << cap)) != 0;
            return Has(caps, CapSysAdmin) || (Has(caps, CapBpf) && Has(caps, CapPerfmon));
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static unsafe PreflightProblem? ProbeBpf()
    {
        var result = Libbpf.ProbeMapType(BpfMapTypeRingbuf, null);
        if (result == 1)
        {
            return null;
        }
        if (result == 0)
        {
            return new("this kernel has no BPF ring buffers", "kernel 5.8 or later is needed");
        }
        var errno = -result;
        return new($"the kernel refused the bpf() system call: {Errno.Name(errno)} ({Errno.Message(errno)})",
            "BPF may be disabled here (a container without CAP_BPF/CAP_SYS_ADMIN, or a seccomp or LSM policy); run on the host, as root");
    }
}

/// <summary>What is missing for capture, and how to fix it.</summary>
internal sealed record PreflightProblem(string Problem, string Fix)
{
    public override string ToString() => $"cannot capture: {Problem}; fix: {Fix}";
}
