using System.Runtime.InteropServices;
using System.Text;

namespace AgentSight.Host.Bpf;

/// <summary>
/// Starts a helper program with <c>posix_spawn</c>, its standard streams on <c>/dev/null</c>, inheriting every
/// descriptor not marked close-on-exec; a background thread reaps it. Cheaper than <see cref="System.Diagnostics.Process"/>,
/// whose first use alone costs tens of milliseconds in a process that has not used it yet.
/// </summary>
internal static unsafe partial class ChildSpawner
{
    private const int ReadWrite = 2;

    /// <summary>True when <paramref name="program"/> was started.</summary>
    public static bool SpawnDetached(string program, params string[] arguments) => SpawnDetached(program, -1, arguments);

    /// <summary>
    /// True when <paramref name="program"/> was started, its standard input read from <paramref name="stdin"/> (-1:
    /// <c>/dev/null</c>, like its output).
    /// </summary>
    public static bool SpawnDetached(string program, int stdin, params string[] arguments)
    {
        var strings = new[] { program }.Concat(arguments).Select(a => Encoding.UTF8.GetBytes(a + "\0")).ToArray();
        var handles = strings.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
        var devNull = "/dev/null\0"u8;
        // posix_spawn_file_actions_t is 80 bytes in glibc on 64-bit; room to spare.
        var actions = stackalloc byte[256];
        try
        {
            var argv = stackalloc byte*[strings.Length + 1];
            for (var i = 0; i < strings.Length; i++)
            {
                argv[i] = (byte*)handles[i].AddrOfPinnedObject();
            }
            argv[strings.Length] = null;
            byte* envp = null;
            if (FileActionsInit(actions) != 0)
            {
                return false;
            }
            try
            {
                fixed (byte* nullPath = devNull)
                {
                    for (var fd = 0; fd <= 2; fd++)
                    {
                        var added = fd == 0 && stdin >= 0
                            ? FileActionsAddDup2(actions, stdin, 0)
                            : FileActionsAddOpen(actions, fd, nullPath, ReadWrite, 0);
                        if (added != 0)
                        {
                            return false;
                        }
                    }
                    if (Spawn(out var pid, argv[0], actions, null, argv, &envp) != 0)
                    {
                        return false;
                    }
                    var reaper = new Thread(() => _ = WaitPid(pid, null, 0), maxStackSize: 64 * 1024)
                    {
                        IsBackground = true,
                        Name = "agentsight-reap",
                    };
                    reaper.Start();
                    return true;
                }
            }
            finally
            {
                _ = FileActionsDestroy(actions);
            }
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Free();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    private static partial int Spawn(out int pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int FileActionsInit(void* fileActions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    private static partial int FileActionsAddOpen(void* fileActions, int fd, byte* path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static partial int FileActionsAddDup2(void* fileActions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int FileActionsDestroy(void* fileActions);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, int* status, int options);
}
