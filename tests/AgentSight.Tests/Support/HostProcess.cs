using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace AgentSight.Tests.Support;

/// <summary>Runs the real host (the build's agentsight.dll) as a child process, as a user would.</summary>
public sealed partial class HostProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HostProcess(IEnumerable<string> args, string? workingDirectory, IReadOnlyDictionary<string, string>? environment = null, string? user = null)
    {
        // As another user: through runuser, which passes signals on to the host.
        var start = new ProcessStartInfo(user is null ? "dotnet" : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (user is not null)
        {
            foreach (var arg in new[] { "-u", user, "--", "dotnet" })
            {
                start.ArgumentList.Add(arg);
            }
        }
        start.ArgumentList.Add(Artifacts.HostDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Remove("AGENTSIGHT_PLUGINS");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data, _stdoutClosed);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data, _stderrClosed);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static HostProcess Start(IEnumerable<string> args, string? workingDirectory = null) => new(args, workingDirectory);

    /// <summary>Starts the host with these environment variables set besides ours.</summary>
    public static HostProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null) =>
        new(args, workingDirectory, environment);

    /// <summary>Starts the host as another user (the tests run as root), e.g. <c>nobody</c>.</summary>
    public static HostProcess StartAs(string user, IEnumerable<string> args, string? workingDirectory = null) => new(args, workingDirectory, user: user);

    /// <summary>Runs the host as another user to the end, with these environment variables besides ours.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsAsync(string user, IEnumerable<string> args,
        IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        using var host = new HostProcess(args, workingDirectory, environment, user);
        host._process.StandardInput.Close();
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, host.Stdout, host.Stderr);
    }

    /// <summary>Runs to the end and returns the exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> args, string? workingDirectory = null,
        TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var host = new HostProcess(args, workingDirectory, environment);
        host._process.StandardInput.Close();
        var code = await host.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(60));
        return (code, host.Stdout, host.Stderr);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"agentsight did not exit within {timeout}; stderr so far:\n{Stderr}");
        }
        return _process.ExitCode;
    }

    public async Task WaitForStderrAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"\"{text}\" did not appear on stderr; stderr:\n{Stderr}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Sends a signal as a terminal or a supervisor would (SIGINT = 2, SIGTERM = 15).</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private static void Append(StringBuilder buffer, string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (buffer)
        {
            buffer.Append(line).Append('\n');
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
