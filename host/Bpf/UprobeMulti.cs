using System.Runtime.InteropServices;

namespace AgentSight.Host.Bpf;

/// <summary>
/// uprobe_multi links (Linux 6.6 and later): one link puts a program on many offsets of one file. Detaching a
/// perf-event uprobe waits for a kernel grace period each, and those waits do not overlap however many threads
/// detach (measured here: 43 links took about 0.8 s to close at the end of every <c>record</c>); one uprobe_multi link
/// waits once for all its offsets. The system's libbpf 1.1 has no function for them, so the link is made with the
/// <c>bpf(2)</c> system call itself.
/// </summary>
internal static unsafe class UprobeMulti
{
    /// <summary><c>BPF_TRACE_UPROBE_MULTI</c> of <c>enum bpf_attach_type</c>: the expected attach type of such programs.</summary>
    public const int AttachType = 48;

    private const long SysBpf = 321;
    private const long BpfLinkCreate = 28;
    private const uint ReturnFlag = 1;

    /// <summary>True when the running kernel has uprobe_multi links (6.6 and later); <c>AGENTSIGHT_NO_UPROBE_MULTI=1</c> says no.</summary>
    public static bool Supported { get; } = Detect();

    /// <summary>Attaches <paramref name="programFd"/> at every offset of <paramref name="path"/>; each call of it reads <paramref name="cookie"/>.</summary>
    /// <param name="pid">
    /// 0: in every process that maps the file. Otherwise only in that process (whatever it runs after an exec): the
    /// kernel then sets no breakpoint in any other process, which therefore pays nothing for the probes.
    /// </param>
    public static BpfLink Attach(int programFd, string programName, string path, IReadOnlyList<ulong> offsets, bool returnProbe, ulong cookie, int pid = 0)
    {
        var what = $"{(returnProbe ? "uretprobe" : "uprobe")} multi {programName} on {path} at {offsets.Count} offset(s){(pid > 0 ? $" for process {pid}" : string.Empty)}";
        var pathBytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        var offsetArray = offsets.ToArray();
        var cookies = Enumerable.Repeat(cookie, offsets.Count).ToArray();
        // union bpf_attr, link_create: prog_fd, target_fd, attach_type, flags, then the uprobe_multi member at byte 16:
        // path, offsets, ref_ctr_offsets, cookies, cnt, flags, pid.
        var attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        fixed (byte* pathPointer = pathBytes)
        fixed (ulong* offsetPointer = offsetArray)
        fixed (ulong* cookiePointer = cookies)
        {
            *(uint*)(attr + 0) = (uint)programFd;
            *(uint*)(attr + 8) = AttachType;
            *(ulong*)(attr + 16) = (ulong)pathPointer;
            *(ulong*)(attr + 24) = (ulong)offsetPointer;
            *(ulong*)(attr + 40) = (ulong)cookiePointer;
            *(uint*)(attr + 48) = (uint)offsets.Count;
            *(uint*)(attr + 52) = returnProbe ? ReturnFlag : 0;
            *(uint*)(attr + 56) = (uint)pid;
            var fd = Libbpf.Syscall(SysBpf, BpfLinkCreate, attr, 128);
            if (fd < 0)
            {
                throw new BpfException("bpf(BPF_LINK_CREATE, uprobe_multi)", Marshal.GetLastPInvokeError(), what);
            }
            return new BpfLink(new LinkFdHandle((int)fd), what);
        }
    }

    private static bool Detect()
    {
        if (Environment.GetEnvironmentVariable("AGENTSIGHT_NO_UPROBE_MULTI") == "1")
        {
            return false;
        }
        try
        {
            var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            var parts = release.Split('.', '-');
            return parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor)
                && (major > 6 || (major == 6 && minor >= 6));
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A link's file descriptor: closing it detaches the program.</summary>
    internal sealed class LinkFdHandle : SafeHandle
    {
        public LinkFdHandle(int fd)
            : base(-1, ownsHandle: true) => SetHandle(fd);

        public override bool IsInvalid => handle == -1;

        public int Fd => (int)handle;

        protected override bool ReleaseHandle() => AgentSight.Host.Capture.Posix.Close((int)handle) == 0;
    }
}
