using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AgentSight.Tests.Capture;

/// <summary>
/// A real TLS server on 127.0.0.1, never traced: <c>openssl s_server -www</c> (answers GET with a status page), or a
/// small Python HTTPS server (keep-alive, several connections at once, a 1 MiB answer, POST bodies).
/// </summary>
internal sealed partial class TlsServer : IDisposable
{
    /// <summary>The Python server's answer to <c>GET /big</c>: 65,536 repetitions of 16 bytes.</summary>
    public const string BigPattern = "0123456789abcdef";

    public const int BigSize = 1024 * 1024;

    private const string PythonServer = """
        import http.server, ssl, sys
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                body = b"0123456789abcdef" * 65536 if self.path == "/big" else ("hello from " + self.path + "\n").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_POST(self):
                size = int(self.headers["Content-Length"])
                self.rfile.read(size)
                body = ("received %d bytes\n" % size).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print("ACCEPT 127.0.0.1:%d" % server.server_address[1], flush=True)
        server.serve_forever()
        """;

    private readonly Process _process;

    private TlsServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public string Url(string path = "/") => $"https://127.0.0.1:{Port}{path}";

    /// <summary><c>openssl s_server -www</c>: a status page for every GET, one connection at a time.</summary>
    public static Task<TlsServer> OpensslAsync() =>
        StartAsync(CaptureEnvironment.Tool("openssl"), ["s_server", "-accept", "127.0.0.1:0", "-cert", TestCertificate.CertPath, "-key", TestCertificate.KeyPath, "-www"]);

    /// <summary>A threaded Python HTTPS server (HTTP/1.1 keep-alive).</summary>
    public static async Task<TlsServer> PythonAsync()
    {
        var script = Path.Combine(Path.GetDirectoryName(TestCertificate.CertPath)!, "server.py");
        if (!File.Exists(script))
        {
            await File.WriteAllTextAsync(script, PythonServer);
        }
        return await StartAsync(CaptureEnvironment.Python, ["-u", script, TestCertificate.CertPath, TestCertificate.KeyPath]);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }

    private static async Task<TlsServer> StartAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (AcceptLine().Match(line) is { Success: true } match)
                {
                    // Keep draining its output so that it never blocks on a full pipe.
                    _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
                    _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
                    return new TlsServer(process, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        process.Kill();
        throw new InvalidOperationException($"{program} did not start listening; stderr: {await process.StandardError.ReadToEndAsync()}");
    }

    [GeneratedRegex(@"ACCEPT (?:127\.0\.0\.1|0\.0\.0\.0|\[::\]):(\d+)")]
    private static partial Regex AcceptLine();
}
