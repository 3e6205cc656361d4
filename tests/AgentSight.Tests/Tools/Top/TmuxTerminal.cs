using System.Diagnostics;
using AgentSight.Tests.Capture;

namespace AgentSight.Tests.Top;

/// <summary>A real terminal for a test: a detached tmux session of a given size running one command; keys in, screen out.</summary>
internal sealed class TmuxTerminal : IDisposable
{
    private readonly string _name = $"agentsight-test-{Guid.NewGuid():N}"[..28];

    private TmuxTerminal()
    {
    }

    /// <summary>Starts <paramref name="shellCommand"/> (run by sh) in a <paramref name="width"/> x <paramref name="height"/> terminal.</summary>
    public static async Task<TmuxTerminal> StartAsync(string shellCommand, int width = 80, int height = 24, string term = "xterm-256color",
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var terminal = new TmuxTerminal();
        var variables = (environment ?? new Dictionary<string, string>()).SelectMany(e => new[] { "-e", $"{e.Key}={e.Value}" });
        // -f /dev/null: no user configuration; the shell command keeps the pane open after top ends, to read its status.
        await RunAsync(["-f", "/dev/null", "new-session", "-d", "-s", terminal._name, "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", workingDirectory ?? Environment.CurrentDirectory,
            "-e", $"TERM={term}", "-e", "LANG=C.UTF-8", .. variables, shellCommand]);
        await RunAsync("set-option", "-t", terminal._name, "remain-on-exit", "on");
        return terminal;
    }

    /// <summary>The screen as text, one string per line (no escape sequences).</summary>
    public async Task<string[]> ScreenAsync() => (await RunAsync("capture-pane", "-p", "-t", _name)).Split('\n');

    /// <summary>The screen and what scrolled off it (the last 1000 lines), wrapped lines joined.</summary>
    public async Task<string> HistoryAsync() => await RunAsync("capture-pane", "-p", "-J", "-S", "-1000", "-t", _name);

    /// <summary>Keys as tmux names them: "q", "Down", "PageDown", "Escape", "Enter", or text.</summary>
    public Task SendAsync(params string[] keys) => RunAsync(["send-keys", "-t", _name, .. keys]);

    /// <summary>Waits until the screen satisfies <paramref name="condition"/>; fails with the screen when it does not in time.</summary>
    public async Task<string[]> WaitForAsync(Func<string[], bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        string[] screen;
        while (!condition(screen = await ScreenAsync()))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{what} did not show within {timeout.TotalSeconds} s; the screen:\n{string.Join('\n', screen)}");
            }
            await Task.Delay(100);
        }
        return screen;
    }

    private static async Task<string> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(CaptureEnvironment.Tool("tmux")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"tmux {string.Join(' ', args)} failed: {error}");
        return output;
    }

    public void Dispose()
    {
        using var process = Process.Start(new ProcessStartInfo("tmux", ["kill-session", "-t", _name]) { RedirectStandardError = true, UseShellExecute = false });
        process?.WaitForExit(5000);
    }
}
