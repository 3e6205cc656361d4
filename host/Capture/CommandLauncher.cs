using System.Runtime.InteropServices;
using System.Text;
using AgentSight.Host.Bpf;

namespace AgentSight.Host.Capture;

/// <summary>
/// Starts the command <c>record</c> traces so that it is traced from its first instruction: a tiny shell waits on a
/// pipe (fd 3) until the host has put its pid in the tracked map, then execs the command (as the user who ran sudo,
/// through <c>setpriv</c>, when there is one). The command shares the terminal and the process group, so it owns
/// Ctrl+C like any foreground program.
/// </summary>
internal sealed unsafe class CommandLauncher : IDisposable
{
    /// <summary>
    /// Says it runs (a line on fd 4, then closed), then waits at the gate. Fails closed: if the host goes away before
    /// releasing it, the shell reads EOF and exits.
    /// </summary>
    private const string ShimScript = "{ echo >&4; } 2>/dev/null; exec 4>&-; read -r _ <&3 || exit 125; exec 3<&-; exec \"$@\"";

    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _gateFd = -1;
    private int _runningFd = -1;

    private CommandLauncher(int pid, int gateFd, int runningFd, IReadOnlyList<string> command, UserIdentity? user)
    {
        Pid = pid;
        _gateFd = gateFd;
        _runningFd = runningFd;
        Command = command;
        User = user;
    }

    public int Pid { get; }

    public IReadOnlyList<string> Command { get; }

    /// <summary>Who the command runs as, when it is not the host's own user.</summary>
    public UserIdentity? User { get; }

    /// <summary>
    /// Execs to let pass silently before the command's own: the shim's exec of <c>setpriv</c> when it drops to the
    /// invoking user. The tracked map holds this count so that the first event is the command's exec.
    /// </summary>
    public uint MutedExecs => User is null ? 0u : 1u;

    /// <summary>Completes with the command's exit status as a shell reports it (128 + signal when killed).</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>Starts the shim, held at the gate. <paramref name="user"/>: run the command as this user (null: as we are).</summary>
    /// <param name="command">The command and its arguments.</param>
    /// <param name="user">Run it as this user (null: as we are).</param>
    /// <param name="environment">Its environment.</param>
    /// <param name="workingDirectory">Where it starts (null: here).</param>
    /// <param name="output">
    /// Its standard output and error go to this file (made, or appended to), and its input is /dev/null: when the
    /// terminal is taken by <c>top</c>. Null: it shares ours.
    /// </param>
    public static CommandLauncher Start(IReadOnlyList<string> command, UserIdentity? user, IDictionary<string, string> environment,
        string? workingDirectory = null, string? output = null)
    {
        using var outputStream = output is null ? null : new FileStream(output, new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var nullStream = output is null ? null : new FileStream("/dev/null", FileMode.Open, FileAccess.Read);
        var outputHandle = outputStream?.SafeFileHandle;
        var nullHandle = nullStream?.SafeFileHandle;
        if (output is not null && user is not null)
        {
            _ = Posix.Chown(output, user.Uid, user.Gid);
        }
        var fds = stackalloc int[2];
        if (Posix.Pipe2(fds, Posix.OCloexec) != 0)
        {
            throw new IOException($"pipe2 failed: {Errno.Name(Marshal.GetLastPInvokeError())}");
        }
        // The shim says it runs once its own exec is over (WaitUntilRunning). Left out in the unlikely case that a
        // descriptor it would be copied over is one of the gate's: the wait is then skipped, as it was before.
        var running = stackalloc int[2] { -1, -1 };
        if (Posix.Pipe2(running, Posix.OCloexec) == 0 && (running[1] <= 4 || fds[0] == 4 || fds[1] == 4))
        {
            Posix.Close(running[0]);
            Posix.Close(running[1]);
            running[0] = running[1] = -1;
        }
        var argv = new List<string> { "sh", "-c", ShimScript, "agentsight-record" };
        if (user is not null)
        {
            argv.AddRange(["setpriv", $"--reuid={user.Uid}", $"--regid={user.Gid}", user.HasPasswdEntry ? "--init-groups" : "--clear-groups", "--"]);
        }
        argv.AddRange(command);

        int pid;
        var fileActions = NativeMemory.AllocZeroed(256);
        var attributes = NativeMemory.AllocZeroed(1024);
        var signals = NativeMemory.AllocZeroed(128);
        using var nativeArgv = new NativeStrings(argv);
        using var nativeEnvironment = new NativeStrings(environment.Select(e => $"{e.Key}={e.Value}"));
        try
        {
            Check(Posix.FileActionsInit(fileActions), "posix_spawn_file_actions_init");
            if (outputHandle is not null && nullHandle is not null)
            {
                // Before the gate's dup2 onto fd 3, which one of these may be. dup2 leaves the copies without close-on-exec;
                // the originals (opened with it) close at exec.
                var nullFd = (int)nullHandle.DangerousGetHandle();
                var outputFd = (int)outputHandle.DangerousGetHandle();
                Check(Posix.FileActionsAddDup2(fileActions, nullFd, 0), "posix_spawn_file_actions_adddup2");
                Check(Posix.FileActionsAddDup2(fileActions, outputFd, 1), "posix_spawn_file_actions_adddup2");
                Check(Posix.FileActionsAddDup2(fileActions, outputFd, 2), "posix_spawn_file_actions_adddup2");
            }
            Check(Posix.FileActionsAddDup2(fileActions, fds[0], 3), "posix_spawn_file_actions_adddup2");
            if (running[1] >= 0)
            {
                Check(Posix.FileActionsAddDup2(fileActions, running[1], 4), "posix_spawn_file_actions_adddup2");
            }
            Check(Posix.FileActionsAddClose(fileActions, fds[1]), "posix_spawn_file_actions_addclose");
            if (workingDirectory is not null)
            {
                Check(Posix.FileActionsAddChdir(fileActions, workingDirectory), "posix_spawn_file_actions_addchdir_np");
            }
            Check(Posix.AttrInit(attributes), "posix_spawnattr_init");
            // The runtime blocks and ignores signals of its own (SIGPIPE is ignored): the command must start with the
            // defaults, or `yes | head` would behave differently under the recorder.
            Check(Posix.SigEmptySet(signals), "sigemptyset");
            Check(Posix.AttrSetSigMask(attributes, signals), "posix_spawnattr_setsigmask");
            Check(Posix.SigFillSet(signals), "sigfillset");
            Check(Posix.SigDelSet(signals, Posix.SIGKILL), "sigdelset");
            Check(Posix.SigDelSet(signals, 19 /* SIGSTOP */), "sigdelset");
            Check(Posix.AttrSetSigDefault(attributes, signals), "posix_spawnattr_setsigdefault");
            Check(Posix.AttrSetFlags(attributes, Posix.PosixSpawnSetSigMask | Posix.PosixSpawnSetSigDef), "posix_spawnattr_setflags");
            var path = Encoding.UTF8.GetBytes("/bin/sh\0");
            fixed (byte* pathPointer = path)
            {
                var error = Posix.PosixSpawn(&pid, pathPointer, fileActions, attributes, nativeArgv.Pointer, nativeEnvironment.Pointer);
                if (error != 0)
                {
                    Posix.Close(fds[0]);
                    Posix.Close(fds[1]);
                    if (running[0] >= 0)
                    {
                        Posix.Close(running[0]);
                        Posix.Close(running[1]);
                    }
                    throw new IOException($"cannot start /bin/sh: {Errno.Name(error)} ({Errno.Message(error)})");
                }
            }
        }
        finally
        {
            _ = Posix.FileActionsDestroy(fileActions);
            _ = Posix.AttrDestroy(attributes);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
        }
        Posix.Close(fds[0]);
        if (running[1] >= 0)
        {
            Posix.Close(running[1]);
        }
        var launcher = new CommandLauncher(pid, fds[1], running[0], command, user);
        var waiter = new Thread(launcher.Wait) { IsBackground = true, Name = "agentsight-command-wait" };
        waiter.Start();
        return launcher;
    }

    private static void Check(int result, string function)
    {
        if (result != 0)
        {
            throw new IOException($"{function} failed: {Errno.Name(result > 0 ? result : Marshal.GetLastPInvokeError())}");
        }
    }

    /// <summary>
    /// Waits until the shim runs: its own exec is then over, so putting its pid in the tracked map cannot let that
    /// exec be seen. posix_spawn returns once the child's memory is replaced, before the exec has finished and been
    /// traced; a pid tracked in between showed the shim's `sh` as the command's first exec.
    /// </summary>
    public void WaitUntilRunning()
    {
        var fd = Interlocked.Exchange(ref _runningFd, -1);
        if (fd < 0)
        {
            return;
        }
        byte line;
        // One byte, or end of file when the shim exited or could not write: either way its exec is over.
        while (Posix.Read(fd, &line, 1) < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR)
        {
        }
        Posix.Close(fd);
    }

    /// <summary>Lets the shim exec the command (call once its pid is tracked).</summary>
    public void Release()
    {
        var fd = Interlocked.Exchange(ref _gateFd, -1);
        if (fd < 0)
        {
            return;
        }
        var line = (byte)'\n';
        Posix.Write(fd, &line, 1);
        Posix.Close(fd);
    }

    /// <summary>Sends a signal to the command.</summary>
    public void Signal(int signal)
    {
        if (!_exited.Task.IsCompleted)
        {
            Posix.Kill(Pid, signal);
        }
    }

    public void Dispose()
    {
        // Closing the gate unreleased makes the shim exit without running anything.
        var fd = Interlocked.Exchange(ref _gateFd, -1);
        if (fd >= 0)
        {
            Posix.Close(fd);
        }
        var running = Interlocked.Exchange(ref _runningFd, -1);
        if (running >= 0)
        {
            Posix.Close(running);
        }
    }

    private void Wait()
    {
        int status;
        int result;
        do
        {
            result = Posix.WaitPid(Pid, &status, 0);
        }
        while (result < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        if (result < 0)
        {
            _exited.TrySetException(new IOException($"waitpid({Pid}) failed: {Errno.Name(Marshal.GetLastPInvokeError())}"));
            return;
        }
        var signal = status & 0x7f;
        _exited.TrySetResult(signal != 0 ? 128 + signal : (status >> 8) & 0xff);
    }

    /// <summary>A NULL-terminated array of NUL-terminated UTF-8 strings in native memory (argv, envp).</summary>
    private sealed class NativeStrings : IDisposable
    {
        private readonly List<nint> _strings = [];

        public NativeStrings(IEnumerable<string> values)
        {
            var list = values.ToList();
            Pointer = (byte**)NativeMemory.AllocZeroed((nuint)(list.Count + 1), (nuint)sizeof(nint));
            for (var i = 0; i < list.Count; i++)
            {
                var bytes = Encoding.UTF8.GetBytes(list[i] + "\0");
                var native = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
                bytes.CopyTo(new Span<byte>(native, bytes.Length));
                _strings.Add((nint)native);
                Pointer[i] = native;
            }
        }

        public byte** Pointer { get; }

        public void Dispose()
        {
            foreach (var native in _strings)
            {
                NativeMemory.Free((void*)native);
            }
            NativeMemory.Free(Pointer);
        }
    }
}
