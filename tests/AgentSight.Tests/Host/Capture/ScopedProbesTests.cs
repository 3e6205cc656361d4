using System.Diagnostics;
using System.Text.RegularExpressions;
using AgentSight.Tests.Support;

namespace AgentSight.Tests.Capture;

/// <summary>
/// TLS probes scoped to the followed processes (<c>--probe-scope followed</c>, the default of <c>record -- CMD</c>): the
/// kernel sets a uprobe's breakpoint only in the processes it is attached for, so a process nobody follows runs its TLS
/// library untouched, while the recorded command and what it forks are probed from their first TLS call. A process can
/// see a breakpoint in its own code: the probed instruction's first byte reads 0xcc (int3).
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed partial class ScopedProbesTests
{
    // Prints the address of SSL_do_handshake (probed at its entry) once libssl is loaded, then waits for stdin to close.
    private const string Bystander = """
        import ctypes, ssl, sys
        lib = ctypes.CDLL("libssl.so.3")
        print(ctypes.cast(lib.SSL_do_handshake, ctypes.c_void_p).value, flush=True)
        sys.stdin.read()
        """;

    // The recorded command: the first byte of SSL_do_handshake in itself, and in the bystander (argv: pid, address, out).
    private const string Peeker = """
        import ctypes, ssl, sys
        lib = ctypes.CDLL("libssl.so.3")
        own = ctypes.string_at(ctypes.cast(lib.SSL_do_handshake, ctypes.c_void_p).value, 1).hex()
        with open("/proc/%s/mem" % sys.argv[1], "rb") as memory:
            memory.seek(int(sys.argv[2]))
            other = memory.read(1).hex()
        open(sys.argv[3], "w").write(own + " " + other)
        """;

    [Fact]
    public async Task A_process_the_recording_does_not_follow_runs_its_TLS_library_without_breakpoints_and_the_recorded_one_with_them()
    {
        var (own, other) = await PeekAsync([]);

        Assert.Equal("cc", own);
        Assert.NotEqual("cc", other);
    }

    [Fact]
    public async Task With_probe_scope_all_every_process_that_maps_the_library_gets_the_breakpoints()
    {
        var (own, other) = await PeekAsync(["--probe-scope", "all"]);

        Assert.Equal("cc", own);
        Assert.Equal("cc", other);
    }

    [Fact]
    public async Task A_child_forked_by_a_probed_process_is_probed_too_and_every_request_of_both_is_captured()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.PythonAsync();
        // The parent makes a request, forks; the child makes its own at once (no exec), then the parent again.
        var script = $$"""
            import http.client, os, ssl
            context = ssl._create_unverified_context()
            def get(path):
                connection = http.client.HTTPSConnection("127.0.0.1", {{server.Port}}, context=context)
                connection.request("GET", path)
                connection.getresponse().read()
                connection.close()
            get("/parent-before")
            child = os.fork()
            if child == 0:
                get("/child")
                os._exit(0)
            os.waitpid(child, 0)
            get("/parent-after")
            """;

        var result = await recorder.RecordAsync([], CaptureEnvironment.Python, "-c", script);

        Assert.True(result.ExitCode == 0, result.Explain());
        var requests = result.Ssl.Where(e => e.IsWrite && e.Text!.StartsWith("GET /", StringComparison.Ordinal))
            .Select(e => (Path: e.Text!.Split(' ')[1], e.Pid)).ToList();
        Assert.Equal(["/parent-before", "/child", "/parent-after"], requests.Select(r => r.Path));
        Assert.Equal(requests[0].Pid, requests[2].Pid);
        Assert.NotEqual(requests[0].Pid, requests[1].Pid);
        Assert.Contains(result.Events, e => e.Kind == "FORK" && e.Pid == requests[1].Pid);
        Assert.DoesNotContain(result.Events, e => e.Kind == "TLS_UNSEEN");
    }

    [Fact]
    public async Task A_running_process_followed_from_the_name_it_takes_gets_its_probes_and_is_captured()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.PythonAsync();
        var output = recorder.Folder.Combine("renamed.jsonl");
        using var host = recorder.Start("trace", "-c", "renamed-agent", "-q", "-o", output);
        await host.WaitForStderrAsync("following any that starts with that name", TimeSpan.FromSeconds(60));
        // libssl is mapped before the process is followed: only the new name makes it followed.
        var script = $$"""
            import ctypes, http.client, ssl, time
            context = ssl._create_unverified_context()
            ctypes.CDLL(None).prctl(15, b"renamed-agent", 0, 0, 0)
            time.sleep(0.5)
            connection = http.client.HTTPSConnection("127.0.0.1", {{server.Port}}, context=context)
            connection.request("GET", "/after-the-rename")
            connection.getresponse().read()
            """;

        using (var run = Process.Start(CaptureEnvironment.Python, ["-c", script]))
        {
            await run.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, run.ExitCode);
        }
        await Task.Delay(300);
        host.Signal(2);
        var code = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, host.Stderr);
        var events = CapturedEvent.ReadSession(output);
        Assert.Contains(events, e => e.IsWrite && e.Comm == "renamed-agent" && e.Text!.StartsWith("GET /after-the-rename ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_program_that_mapped_the_library_before_has_its_probes_attached_at_its_next_exec_and_is_not_held_at_the_mapping()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.PythonAsync();
        var client = recorder.Folder.Combine("client.py");
        // argv: how long to wait before loading libssl, and the request's name.
        await File.WriteAllTextAsync(client, $$"""
            import sys, time
            time.sleep(float(sys.argv[1]))
            import http.client, ssl
            connection = http.client.HTTPSConnection("127.0.0.1", {{server.Port}}, context=ssl._create_unverified_context())
            connection.request("GET", "/" + sys.argv[2])
            connection.getresponse().read()
            """);
        var session = recorder.Folder.Combine("twice.jsonl");
        var python = CaptureEnvironment.Python;

        var stderr = await RecordShellAsync(recorder, session, $"{python} {client} 0 first-run && {python} {client} 0.5 second-run");

        // The summary's process line: "  process   1,204     held_at_exec=3 held_at_map=1" (a counter shows only when not zero).
        var held = HeldAtMap().Match(stderr);
        Assert.True(held.Success && held.Groups[1].Value == "1", $"held at the mapping: {(held.Success ? held.Groups[1].Value : "0")}, expected 1 (the first run):\n{stderr}");
        // The default pipeline: each exchange is an http event.
        var requests = CapturedEvent.ReadSession(session).Where(e => e.Source == "http").Select(e => (string?)e.Data["request"]?["path"]);
        Assert.Equal(["/first-run", "/second-run"], requests);
    }

    [Fact]
    public async Task A_job_of_an_interactive_shell_which_is_never_stopped_is_captured_with_libraries_then_probed_in_every_process()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.OpensslAsync();
        var session = recorder.Folder.Combine("interactive.jsonl");
        // An interactive bash on a terminal (script's pseudo-terminal) runs each command as a job: its own process
        // group on the terminal, which the capture never stops.
        var typed = $"sleep 0.5\n{CaptureEnvironment.Tool("curl")} -sk {server.Url("/typed-in-a-terminal")} -o /dev/null\nexit\n";

        var stderr = await RecordShellAsync(recorder, session,
            $"printf '{typed.Replace("\n", "\\n", StringComparison.Ordinal)}' | {CaptureEnvironment.Tool("script")} -qc 'bash --norc -i' /dev/null");

        Assert.Contains("libraries are now probed in every process that maps them", stderr, StringComparison.Ordinal);
        var events = CapturedEvent.ReadSession(session);
        Assert.Contains(events, e => e.Source == "http" && (string?)e.Data["request"]?["path"] == "/typed-in-a-terminal");
        Assert.DoesNotContain(events, e => e.Kind == "TLS_UNSEEN");
    }

    /// <summary>
    /// Records <c>sh -c <paramref name="command"/></c> with the default pipeline and its summary (the counters); fails
    /// the test unless it exits 0. Returns what the host wrote on stderr.
    /// </summary>
    private static async Task<string> RecordShellAsync(Recorder recorder, string session, string command)
    {
        var (code, stdout, stderr) = await HostProcess.RunAsync(
            ["--plugins", Artifacts.PluginsDirectory, "record", "--no-server", "-q", "-o", session, "--", "/bin/sh", "-c", command],
            recorder.Folder.Path, TimeSpan.FromSeconds(120));
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        return stderr;
    }

    [GeneratedRegex(@"^\s+process\s.*\bheld_at_map=(\d+)", RegexOptions.Multiline)]
    private static partial Regex HeldAtMap();

    /// <summary>
    /// Waits until an earlier recording's probes on every process's libssl (another test's, with <c>--probe-scope all</c>
    /// or the <c>ssl</c> command) are gone: the kernel releases them over a few seconds after that host has exited.
    /// </summary>
    private static async Task NoEarlierProbesAsync(int pid, long address)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            await using (var memory = new FileStream($"/proc/{pid}/mem", FileMode.Open, FileAccess.Read))
            {
                memory.Seek(address, SeekOrigin.Begin);
                if (memory.ReadByte() != 0xcc)
                {
                    return;
                }
            }
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "an earlier recording's probes were still there after 30 s");
            await Task.Delay(100);
        }
    }

    private static async Task<(string Own, string Other)> PeekAsync(string[] options)
    {
        using var recorder = Recorder.Create();
        using var bystander = Process.Start(new ProcessStartInfo(CaptureEnvironment.Python, ["-c", Bystander])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            var address = await bystander.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(string.IsNullOrEmpty(address), "the bystander printed no address");
            await NoEarlierProbesAsync(bystander.Id, long.Parse(address!, System.Globalization.CultureInfo.InvariantCulture));
            var output = recorder.Folder.Combine("bytes.txt");

            var result = await recorder.RecordAsync(options, CaptureEnvironment.Python, "-c", Peeker,
                bystander.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), address!, output);

            Assert.True(result.ExitCode == 0, result.Explain());
            var bytes = (await File.ReadAllTextAsync(output)).Split(' ');
            return (bytes[0], bytes[1]);
        }
        finally
        {
            bystander.StandardInput.Close();
            await bystander.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}
