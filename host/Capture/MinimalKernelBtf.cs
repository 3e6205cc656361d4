using System.Text;
using AgentSight.Host.Bpf;
using Microsoft.Extensions.Logging;

namespace AgentSight.Host.Capture;

/// <summary>
/// The kernel's BTF cut down to the types our BPF objects' CO-RE relocations read (BTFGen: <c>bpftool gen
/// min_core_btf</c>), kept in the <c>btf</c> folder of <see cref="CacheFolder"/> per kernel and per build of the objects.
/// </summary>
/// <remarks>
/// Without it libbpf reads and parses the kernel's whole BTF (5.5 MB, 126,000 types here) once for each of our three
/// objects: about 60 ms of CPU each on the 2-core VM, most of it page faults on the fresh memory it parses into. The
/// cut-down file is a few KB and gives the same relocations (a test compares the kernel's tag of every program loaded both ways).
/// A run that finds none uses the whole BTF and has bpftool (which the build needs anyway) make it in the background,
/// for the next run. A file that fails a load is deleted, and the load repeated with the whole BTF.
/// </remarks>
internal sealed class MinimalKernelBtf
{
    /// <summary>Where the kernel publishes its own BTF.</summary>
    public const string KernelBtf = "/sys/kernel/btf/vmlinux";

    private const string ToolFolders = "/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin";

    private readonly string? _file;

    private MinimalKernelBtf(string? file) => _file = file;

    /// <summary>No cut-down BTF: libbpf reads the kernel's whole one.</summary>
    public static MinimalKernelBtf None { get; } = new(null);

    /// <summary>
    /// The cut-down BTF for <paramref name="objects"/> on this kernel, kept in <paramref name="folder"/>: its name is a
    /// digest of the kernel's release, build and BTF size and of the objects' bytes, so that a new kernel or a rebuilt
    /// object never meets an old file.
    /// </summary>
    public static MinimalKernelBtf For(string folder, IEnumerable<byte[]> objects)
    {
        try
        {
            var kernel = File.ReadAllText("/proc/sys/kernel/osrelease") + File.ReadAllText("/proc/sys/kernel/version")
                + new FileInfo(KernelBtf).Length;
            // FNV-1a, not a cryptographic digest: the name only tells builds and kernels apart (trust comes from the
            // file's owner), and the crypto stack's first use alone costs tens of milliseconds of start-up.
            var digest = Fnv1a(Encoding.UTF8.GetBytes(kernel), 14695981039346656037UL);
            foreach (var elf in objects)
            {
                digest = Fnv1a(elf, digest);
            }
            return new MinimalKernelBtf(System.IO.Path.Combine(folder, $"{digest:x16}.btf"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No BTF published by the kernel: nothing to cut down (CO-RE fails later, with libbpf's own message).
            return None;
        }
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> bytes, ulong hash)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }

    /// <summary>The file's path, whether or not it exists yet.</summary>
    public string? Path => _file;

    /// <summary>The cut-down file when an earlier run made it and it can be trusted; null when libbpf must read the whole BTF.</summary>
    public string? Existing =>
        _file is not null && File.Exists(_file) && CacheFolder.Trusted(_file) && CacheFolder.Trusted(System.IO.Path.GetDirectoryName(_file)!)
            ? _file
            : null;

    /// <summary>Deletes a file that failed a load, so that the next run makes it again.</summary>
    public void Discard()
    {
        try
        {
            if (_file is not null)
            {
                File.Delete(_file);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The next load fails the same way and is repeated with the whole BTF again.
        }
    }

    /// <summary>
    /// Starts bpftool making the file from <paramref name="objects"/>, detached: it is renamed into place only when
    /// whole, and finishes even if this run ends first. False (and nothing started) when bpftool is missing or the
    /// cache cannot be written: every run then reads the whole BTF, which is only slower.
    /// </summary>
    public bool StartMaking(IReadOnlyList<(string Name, byte[] Elf)> objects, ILogger log)
    {
        if (_file is null)
        {
            return false;
        }
        // sudo's PATH may lack the sbin folders where Debian puts bpftool.
        var bpftool = TlsDiscovery.ResolveExecutable("bpftool", $"{Environment.GetEnvironmentVariable("PATH")}:{ToolFolders}");
        if (bpftool is null)
        {
            log.LogDebug("bpftool is not installed: every run reads the kernel's whole BTF (about 60 ms of CPU per BPF object)");
            return false;
        }
        var folder = System.IO.Path.GetDirectoryName(_file)!;
        if (!CacheFolder.Prepare(folder))
        {
            return false;
        }
        // Files of kernels and builds no longer in use.
        CacheFolder.PruneUnused(folder, DateTime.UtcNow);
        string scratch;
        try
        {
            scratch = Directory.CreateTempSubdirectory("agentsight-btfgen-").FullName;
            foreach (var (name, elf) in objects)
            {
                File.WriteAllBytes(System.IO.Path.Combine(scratch, name + ".o"), elf);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        // bpftool writes a temporary name, renamed only once complete; the scratch copies of the objects go either way.
        const string Script = """
            "$1" gen min_core_btf "$2" "$3.$$.tmp" "$4"/*.o && chmod 600 "$3.$$.tmp" && mv -f "$3.$$.tmp" "$3"
            rm -rf "$4" "$3.$$.tmp"
            """;
        if (!ChildSpawner.SpawnDetached("/bin/sh", "-c", Script, "agentsight-btfgen", bpftool, KernelBtf, _file, scratch))
        {
            Directory.Delete(scratch, recursive: true);
            return false;
        }
        log.LogDebug("Making the kernel's BTF cut down to our BPF objects in {File} (bpftool, in the background), for the next runs", _file);
        return true;
    }
}
