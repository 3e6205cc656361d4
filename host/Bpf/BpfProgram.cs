using System.Runtime.InteropServices;

namespace AgentSight.Host.Bpf;

/// <summary>A program of a loaded <see cref="BpfObject"/>, attached by hand to where it should run.</summary>
internal sealed unsafe class BpfProgram
{
    private readonly BpfObject _owner;
    private readonly nint _pointer;

    internal BpfProgram(BpfObject owner, nint pointer, string name)
    {
        _owner = owner;
        _pointer = pointer;
        Name = name;
    }

    public string Name { get; }

    /// <summary>
    /// Attaches to the instruction at <paramref name="fileOffset"/> in <paramref name="binaryPath"/> (a function's
    /// entry), or to the function's returns when <paramref name="returnProbe"/>. Uprobes belong to the file's inode:
    /// every process that maps it is probed, and the program filters.
    /// </summary>
    /// <param name="cookie">A value the program reads with <c>bpf_get_attach_cookie</c> (which library this is).</param>
    public BpfLink AttachUprobe(string binaryPath, ulong fileOffset, bool returnProbe, ulong cookie, int pid = -1)
    {
        _owner.ThrowIfNotLoaded("attach a program of");
        var options = new UprobeOptions
        {
            Size = (nuint)sizeof(UprobeOptions),
            Cookie = cookie,
            RetProbe = returnProbe ? (byte)1 : (byte)0,
        };
        var link = Libbpf.AttachUprobe(_pointer, pid, binaryPath, (nuint)fileOffset, &options);
        var what = $"{(returnProbe ? "uretprobe" : "uprobe")} {Name} on {binaryPath}+0x{fileOffset:x}";
        return Wrap(link, "bpf_program__attach_uprobe_opts", what);
    }

    /// <summary>
    /// Attaches to every offset of <paramref name="binaryPath"/> with one uprobe_multi link (see <see cref="UprobeMulti"/>);
    /// the program must have been loaded for it (<see cref="BpfObject.SetExpectedAttachType"/>).
    /// </summary>
    public BpfLink AttachUprobeMulti(string binaryPath, IReadOnlyList<ulong> fileOffsets, bool returnProbe, ulong cookie, int pid = 0)
    {
        _owner.ThrowIfNotLoaded("attach a program of");
        return UprobeMulti.Attach(Libbpf.ProgramFd(_pointer), Name, binaryPath, fileOffsets, returnProbe, cookie, pid);
    }

    /// <summary>
    /// How often the kernel ran the program and for how long in all, from <c>/proc/self/fdinfo</c>; zeros unless
    /// <c>kernel.bpf_stats_enabled</c> is 1 (counting costs a little, so it is off by default).
    /// </summary>
    public (long Runs, long Nanoseconds) RunStats()
    {
        _owner.ThrowIfNotLoaded("read the statistics of");
        var info = FdInfo();
        return (info.TryGetValue("run_cnt", out var runs) ? long.Parse(runs, System.Globalization.CultureInfo.InvariantCulture) : 0,
            info.TryGetValue("run_time_ns", out var nanoseconds) ? long.Parse(nanoseconds, System.Globalization.CultureInfo.InvariantCulture) : 0);
    }

    /// <summary>
    /// The kernel's tag of the loaded program: a digest of its instructions as libbpf handed them over (relocations
    /// applied, map references masked), so two loads with the same tag run the same code.
    /// </summary>
    public string? Tag()
    {
        _owner.ThrowIfNotLoaded("read the tag of");
        return FdInfo().GetValueOrDefault("prog_tag");
    }

    /// <summary>The kernel's <c>/proc/self/fdinfo</c> lines for the program, by key; empty when unreadable.</summary>
    private Dictionary<string, string> FdInfo()
    {
        var info = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines($"/proc/self/fdinfo/{Libbpf.ProgramFd(_pointer)}"))
            {
                var colon = line.IndexOf(':');
                if (colon > 0)
                {
                    info[line[..colon]] = line[(colon + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
            // Nothing to show.
        }
        return info;
    }

    public BpfLink AttachTracepoint(string category, string name)
    {
        _owner.ThrowIfNotLoaded("attach a program of");
        var link = Libbpf.AttachTracepoint(_pointer, category, name);
        return Wrap(link, "bpf_program__attach_tracepoint", $"tracepoint {category}/{name} -> {Name}");
    }

    public BpfLink AttachRawTracepoint(string name)
    {
        _owner.ThrowIfNotLoaded("attach a program of");
        var link = Libbpf.AttachRawTracepoint(_pointer, name);
        return Wrap(link, "bpf_program__attach_raw_tracepoint", $"raw tracepoint {name} -> {Name}");
    }

    private static BpfLink Wrap(nint link, string function, string what)
    {
        if (link == 0)
        {
            throw new BpfException(function, Marshal.GetLastPInvokeError(), what);
        }
        return new BpfLink(new BpfLinkHandle(link), what);
    }
}
