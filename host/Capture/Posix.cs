using System.Runtime.InteropServices;

namespace AgentSight.Host.Capture;

/// <summary>The few C library calls capture needs that .NET does not expose (glibc, x86-64 layouts).</summary>
internal static unsafe partial class Posix
{
    public const int ClockRealtime = 0;
    public const int ClockBoottime = 7;
    public const int SIGKILL = 9;
    public const int SIGCONT = 18;
    public const int SIGTERM = 15;
    public const int OCloexec = 0x80000;
    public const int OPath = 0x200000;

    public const short PosixSpawnSetSigDef = 0x04;
    public const short PosixSpawnSetSigMask = 0x08;

    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;

        public readonly long TotalNanoseconds => (Seconds * 1_000_000_000L) + Nanoseconds;
    }

    /// <summary>glibc's <c>struct stat</c> on x86-64 (144 bytes); only the identity fields are read.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 144)]
    public struct Stat
    {
        [FieldOffset(0)] public ulong Device;
        [FieldOffset(8)] public ulong Inode;
        [FieldOffset(24)] public uint Mode;
        [FieldOffset(48)] public long Size;
        [FieldOffset(88)] public long ModifiedSeconds;
        [FieldOffset(96)] public long ModifiedNanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    public static partial int ClockGetTime(int clock, TimeSpec* time);

    [LibraryImport("libc", EntryPoint = "sysconf")]
    public static partial long SysConf(int name);

    /// <summary><c>_SC_CLK_TCK</c>: the unit of the CPU times in <c>/proc/PID/stat</c> (100 a second on Linux).</summary>
    public const int ScClkTck = 2;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "getpid")]
    public static partial int GetPid();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, int* status, int options);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    /// <summary><c>POLLIN</c>.</summary>
    public const short PollIn = 0x1;

    /// <summary><c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int StatPath(string path, Stat* stat);

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "posix_spawn", SetLastError = true)]
    public static partial int PosixSpawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int FileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int FileActionsAddDup2(void* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addclose")]
    public static partial int FileActionsAddClose(void* actions, int fd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int FileActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FileActionsAddChdir(void* actions, string path);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    public static partial int AttrInit(void* attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    public static partial int AttrSetFlags(void* attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    public static partial int AttrSetSigMask(void* attributes, void* mask);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    public static partial int AttrSetSigDefault(void* attributes, void* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    public static partial int AttrDestroy(void* attributes);

    [LibraryImport("libc", EntryPoint = "sigemptyset")]
    public static partial int SigEmptySet(void* set);

    [LibraryImport("libc", EntryPoint = "sigfillset")]
    public static partial int SigFillSet(void* set);

    [LibraryImport("libc", EntryPoint = "sigdelset")]
    public static partial int SigDelSet(void* set, int signal);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial byte* RealPath(string path, byte* resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(void* pointer);

    /// <summary>The path with every symbolic link resolved (what /proc/PID/maps shows), or null when it does not exist.</summary>
    public static string? Canonical(string path)
    {
        var resolved = RealPath(path, null);
        if (resolved is null)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8((nint)resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>The (device, inode) of a file: what uprobes are attached to.</summary>
    public static bool TryGetIdentity(string path, out FileIdentity identity) => TryGetVersion(path, out identity, out _, out _);

    /// <summary>A file's identity, size and modification time (ns since the epoch); false when it cannot be stat'ed.</summary>
    public static bool TryGetVersion(string path, out FileIdentity identity, out long size, out long modifiedNs)
    {
        Stat stat;
        if (StatPath(path, &stat) != 0)
        {
            (identity, size, modifiedNs) = (default, 0, 0);
            return false;
        }
        identity = new FileIdentity(stat.Device, stat.Inode);
        size = stat.Size;
        modifiedNs = (stat.ModifiedSeconds * 1_000_000_000L) + stat.ModifiedNanoseconds;
        return true;
    }

    public static long Now(int clock)
    {
        TimeSpec time;
        if (ClockGetTime(clock, &time) != 0)
        {
            throw new InvalidOperationException($"clock_gettime({clock}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
        return time.TotalNanoseconds;
    }
}

/// <summary>A file's device and inode number (the device as stat() gives it).</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    /// <summary>
    /// From the kernel's own numbers, as BPF programs read them: <c>s_dev</c> is <c>major &lt;&lt; 20 | minor</c>,
    /// which stat() re-encodes as glibc's <c>makedev</c> does.
    /// </summary>
    public static FileIdentity FromKernel(ulong device, ulong inode)
    {
        var major = device >> 20;
        var minor = device & 0xfffff;
        var encoded = ((major & 0xfffff000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffffff00) << 12) | (minor & 0xff);
        return new FileIdentity(encoded, inode);
    }

    /// <summary>The kernel's <c>s_dev</c> for this device (the inverse of <see cref="FromKernel"/>).</summary>
    public ulong KernelDevice
    {
        get
        {
            var major = ((Device >> 8) & 0xfff) | ((Device >> 32) & 0xfffff000);
            var minor = (Device & 0xff) | ((Device >> 12) & 0xffffff00);
            return (major << 20) | minor;
        }
    }
}
