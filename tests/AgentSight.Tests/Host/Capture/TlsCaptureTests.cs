using AgentSight.Host.Capture;
using AgentSight.Host.Capture.Discovery;
using System.Text;

namespace AgentSight.Tests.Capture;

/// <summary>
/// TLS plaintext from real clients (curl, Python's urllib, Node.js https) against real servers on 127.0.0.1, recorded
/// with <c>agentsight record -- CLIENT</c>: each request and response in plaintext, with the right direction, pid and
/// comm.
/// </summary>
[Collection(CaptureCollection.Name)]
public sealed class TlsCaptureTests
{
    [Fact]
    public async Task Curl_request_and_response_are_in_the_session_in_plaintext()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.OpensslAsync();
        var curl = CaptureEnvironment.Tool("curl");

        var result = await recorder.RecordAsync([], curl, "-sk", server.Url("/"), "-o", "/dev/null");

        Assert.True(result.ExitCode == 0, result.Explain());
        var client = ClientPid(result, "curl");
        var request = Assert.Single(result.Ssl, e => e.IsWrite);
        Assert.StartsWith("GET / HTTP/1.1\r\n", request.Text, StringComparison.Ordinal);
        Assert.Contains($"Host: 127.0.0.1:{server.Port}", request.Text, StringComparison.Ordinal);
        var response = string.Concat(result.Ssl.Where(e => e.IsRead).Select(e => e.Text));
        Assert.StartsWith("HTTP/1.0 200 ok\r\n", response, StringComparison.Ordinal);
        Assert.All(result.Ssl, e => Assert.Equal((client, "curl"), (e.Pid, e.Comm)));
        Assert.All(result.Ssl, e => Assert.Equal(request.Connection, e.Connection));
        Assert.Contains(result.Ssl, e => e.Function == "HANDSHAKE");
        Assert.All(result.Ssl, e => Assert.Contains("libssl.so", (string?)e.Data["lib"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Python_urllib_reads_through_SSL_read_ex_are_labelled_as_reads()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.OpensslAsync();
        var python = CaptureEnvironment.Python;
        var script = $"""
            import ssl, urllib.request
            context = ssl._create_unverified_context()
            print(urllib.request.urlopen("{server.Url("/from-python")}", context=context).status)
            """;

        var result = await recorder.RecordAsync([], python, "-c", script);

        Assert.True(result.ExitCode == 0, result.Explain());
        var client = ClientPid(result, "python3");
        // urllib writes with SSL_write_ex and reads with SSL_read_ex: the original labelled those reads WRITE/SEND.
        var writes = result.Ssl.Where(e => e.IsWrite).ToList();
        var reads = result.Ssl.Where(e => e.IsRead).ToList();
        Assert.Contains(writes, e => e.Text!.StartsWith("GET /from-python HTTP/1.1\r\n", StringComparison.Ordinal));
        Assert.DoesNotContain(writes, e => e.Text!.Contains("HTTP/1.0 200 ok", StringComparison.Ordinal));
        Assert.StartsWith("HTTP/1.0 200 ok", string.Concat(reads.Select(e => e.Text)), StringComparison.Ordinal);
        Assert.All(result.Ssl, e => Assert.Equal((client, CommOf(python)), (e.Pid, e.Comm)));
        // The rings are read apart; still, the client's exit comes after its last read (an analyzer closes the
        // connection at the exit, and would lose the end of the response).
        var exit = result.Events.FindIndex(e => e.Kind == "EXIT" && e.Pid == client);
        Assert.True(exit > result.Events.FindLastIndex(e => e.IsSsl && e.Pid == client), result.Explain());
    }

    [Fact]
    public async Task Node_https_is_captured_through_the_OpenSSL_it_carries()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.OpensslAsync();
        var node = CaptureEnvironment.Tool("node");
        var script = $"require('https').get({{ host: '127.0.0.1', port: {server.Port}, path: '/from-node', rejectUnauthorized: false }}, "
            + "r => { r.resume(); r.on('end', () => console.log(r.statusCode)); });";

        var result = await recorder.RecordAsync([], node, "-e", script);

        Assert.True(result.ExitCode == 0, result.Explain());
        var client = ClientPid(result, "node");
        Assert.Contains(result.Ssl, e => e.IsWrite && e.Text!.StartsWith("GET /from-node HTTP/1.1\r\n", StringComparison.Ordinal));
        Assert.StartsWith("HTTP/1.0 200 ok", string.Concat(result.Ssl.Where(e => e.IsRead).Select(e => e.Text)), StringComparison.Ordinal);
        Assert.All(result.Ssl, e => Assert.Equal((client, "node"), (e.Pid, e.Comm)));
        // Node from nodejs.org (and NodeSource) carries OpenSSL inside the binary; Debian's links the system libssl.
        var library = (string?)result.Ssl.First().Data["lib"];
        var exportsOpenSsl = ElfImage.Open(Posix.Canonical(node)!).FindFunctions(["SSL_read"]).Count == 1;
        Assert.Equal(exportsOpenSsl ? Posix.Canonical(node) : library, library);
        Assert.Contains(exportsOpenSsl ? "TLS: probing " + Posix.Canonical(node) : "libssl", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_connections_used_at_once_by_one_process_keep_their_own_identity()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.PythonAsync();
        var script = $$"""
            import http.client, ssl
            context = ssl._create_unverified_context()
            a = http.client.HTTPSConnection("127.0.0.1", {{server.Port}}, context=context)
            b = http.client.HTTPSConnection("127.0.0.1", {{server.Port}}, context=context)
            for round in range(3):
                a.request("GET", "/conn-a/%d" % round)
                b.request("GET", "/conn-b/%d" % round)
                print(b.getresponse().read(), a.getresponse().read())
            """;

        var result = await recorder.RecordAsync([], CaptureEnvironment.Python, "-c", script);

        Assert.True(result.ExitCode == 0, result.Explain());
        var byConnection = result.Ssl.Where(e => e.Function != "HANDSHAKE").GroupBy(e => e.Connection).ToDictionary(g => g.Key!, g => g.ToList());
        Assert.Equal(2, byConnection.Count);
        foreach (var (_, events) in byConnection)
        {
            var sent = string.Concat(events.Where(e => e.IsWrite).Select(e => e.Text));
            var received = string.Concat(events.Where(e => e.IsRead).Select(e => e.Text));
            var mine = sent.Contains("/conn-a/", StringComparison.Ordinal) ? "a" : "b";
            var theirs = mine == "a" ? "b" : "a";
            Assert.DoesNotContain($"/conn-{theirs}/", sent, StringComparison.Ordinal);
            Assert.DoesNotContain($"/conn-{theirs}/", received, StringComparison.Ordinal);
            for (var round = 0; round < 3; round++)
            {
                Assert.Contains($"GET /conn-{mine}/{round} HTTP/1.1", sent, StringComparison.Ordinal);
                Assert.Contains($"hello from /conn-{mine}/{round}", received, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_1_MiB_response_is_captured_whole()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.PythonAsync();

        var result = await recorder.RecordAsync([], CaptureEnvironment.Tool("curl"), "-sk", server.Url("/big"), "-o", "/dev/null");

        Assert.True(result.ExitCode == 0, result.Explain());
        var reads = result.Ssl.Where(e => e.IsRead).ToList();
        var received = Encoding.UTF8.GetBytes(string.Concat(reads.Select(e => e.Text)));
        var bodyStart = Encoding.ASCII.GetString(received).IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        Assert.Equal(TlsServer.BigSize, received.Length - bodyStart);
        Assert.Equal(reads.Sum(e => (long)e.Data["len"]!), received.Length);
        Assert.All(reads, e => Assert.False((bool)e.Data["truncated"]!));
        var body = Encoding.ASCII.GetString(received, bodyStart, TlsServer.BigSize);
        Assert.Equal(string.Concat(Enumerable.Repeat(TlsServer.BigPattern, TlsServer.BigSize / TlsServer.BigPattern.Length)), body);
    }

    [Fact]
    public async Task A_1_MiB_request_body_written_in_one_call_is_one_event_captured_whole()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.PythonAsync();
        var script = $$"""
            import ssl, urllib.request
            body = bytes((i * 7) % 26 + 97 for i in range({{TlsServer.BigSize}}))
            request = urllib.request.Request("{{server.Url("/upload")}}", data=body, headers={"Content-Type": "text/plain"})
            print(urllib.request.urlopen(request, context=ssl._create_unverified_context()).read())
            """;

        var result = await recorder.RecordAsync([], CaptureEnvironment.Python, "-c", script);

        Assert.True(result.ExitCode == 0, result.Explain());
        var upload = Assert.Single(result.Ssl, e => e.IsWrite && (long)e.Data["len"]! == TlsServer.BigSize);
        var expected = new string([.. Enumerable.Range(0, TlsServer.BigSize).Select(i => (char)((i * 7 % 26) + 97))]);
        Assert.Equal(expected, upload.Text);
        Assert.False((bool)upload.Data["truncated"]!);
        Assert.Contains(result.Ssl, e => e.IsRead && e.Text!.Contains($"received {TlsServer.BigSize} bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_capture_cap_cuts_a_large_call_and_counts_the_bytes_cut()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.PythonAsync();
        var script = $"""
            import ssl, urllib.request
            request = urllib.request.Request("{server.Url("/upload")}", data=b"z" * {TlsServer.BigSize})
            print(urllib.request.urlopen(request, context=ssl._create_unverified_context()).read())
            """;

        var result = await recorder.RecordAsync(["--max-capture", "256K"], CaptureEnvironment.Python, "-c", script);

        Assert.True(result.ExitCode == 0, result.Explain());
        var upload = Assert.Single(result.Ssl, e => e.IsWrite && (long)e.Data["len"]! == TlsServer.BigSize);
        Assert.True((bool)upload.Data["truncated"]!);
        Assert.Equal(TlsServer.BigSize - (256 * 1024), (long)upload.Data["bytes_lost"]!);
        Assert.Equal(new string('z', 256 * 1024), upload.Text);
    }

    [Fact]
    public async Task Processes_outside_the_traced_tree_produce_nothing()
    {
        using var recorder = Recorder.Create();
        using var server = await TlsServer.OpensslAsync();
        var curl = CaptureEnvironment.Tool("curl");
        // A neighbour makes TLS calls through the same libssl all along, untraced.
        using var neighbour = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", $"while :; do {curl} -sk {server.Url("/neighbour")} -o /dev/null; sleep 0.05; done" },
        })!;
        try
        {
            var result = await recorder.RecordAsync([], "/bin/sh", "-c", $"sleep 0.5; {curl} -sk {server.Url("/traced")} -o /dev/null; sleep 0.5");

            Assert.True(result.ExitCode == 0, result.Explain());
            Assert.Contains(result.Ssl, e => e.IsWrite && e.Text!.Contains("GET /traced ", StringComparison.Ordinal));
            Assert.DoesNotContain(result.Events, e => e.Root.ToJsonString().Contains("neighbour", StringComparison.Ordinal));
            var traced = result.Process("EXEC").Select(e => e.Pid).Concat(result.Process("FORK").Select(e => e.Pid)).ToHashSet();
            Assert.All(result.Events, e => Assert.Contains(e.Pid, traced));
        }
        finally
        {
            neighbour.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The pid of the process that exec'd <paramref name="program"/> in the recording.</summary>
    private static int ClientPid(RecordResult result, string program)
    {
        var exec = result.Process("EXEC").LastOrDefault(e => Path.GetFileName((string)e.Data["filename"]!).StartsWith(program, StringComparison.Ordinal));
        Assert.True(exec is not null, $"no EXEC of {program}; {result.Explain()}");
        return exec!.Pid;
    }

    /// <summary>The kernel's name for a process running <paramref name="path"/>: its file name, at most 15 bytes.</summary>
    private static string CommOf(string path)
    {
        var name = Path.GetFileName(path);
        return name.Length > 15 ? name[..15] : name;
    }
}
